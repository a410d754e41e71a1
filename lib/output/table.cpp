#include "output/table.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace opsctl::output {
namespace {

constexpr std::string_view k_gap = "  ";

// Visible width: ANSI escape sequences (ESC [ ... final byte) take no room, and a UTF-8 character
// counts once however many bytes it has (wide CJK glyphs are not special-cased).
std::size_t visible_width(std::string_view s) {
  std::size_t width = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
      ++i;  // the final byte ('m' for colours)
      continue;
    }
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++width;
    ++i;
  }
  return width;
}

// A newline or tab inside a cell (job names come from anyone's data) would break the alignment.
std::string one_line(std::string s) {
  std::replace_if(s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Table::Table(std::vector<std::string> headers, std::vector<Align> align)
    : headers_(std::move(headers)), align_(std::move(align)) {
  for (auto& h : headers_) h = upper(one_line(std::move(h)));
}

void Table::add_row(std::vector<std::string> cells) {
  for (auto& c : cells) c = one_line(std::move(c));
  rows_.push_back(std::move(cells));
}

std::string Table::render() const {
  // A row longer than the header still shows every cell: dropping data silently is worse.
  std::size_t columns = headers_.size();
  for (const auto& row : rows_) columns = std::max(columns, row.size());
  std::vector<std::size_t> widths(columns, 0);
  auto measure = [&](const std::vector<std::string>& cells) {
    for (std::size_t c = 0; c < cells.size(); ++c) widths[c] = std::max(widths[c], visible_width(cells[c]));
  };
  measure(headers_);
  for (const auto& row : rows_) measure(row);

  std::string out;
  auto render_line = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string empty;
      const std::string& cell = c < cells.size() ? cells[c] : empty;
      const std::string pad(widths[c] - visible_width(cell), ' ');
      const bool right = c < align_.size() && align_[c] == Align::right;
      if (c > 0) line += k_gap;
      line += right ? pad + cell : cell + pad;
    }
    // Padding of the last columns must not leave trailing spaces.
    line.erase(line.find_last_not_of(' ') + 1);
    out += line;
    out += '\n';
  };
  render_line(headers_);
  for (const auto& row : rows_) render_line(row);
  return out;
}

}  // namespace opsctl::output
