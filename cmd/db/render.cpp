#include "cmd/db/render.h"

#include <fmt/format.h>

#include "output/table.h"
#include "util/text.h"

namespace opsctl::cmd {

std::string one_line(const std::string& s, std::size_t max_bytes) {
  std::string flat;
  bool space = false;
  for (unsigned char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      if (!space && !flat.empty()) flat += ' ';
      space = true;
      continue;
    }
    space = false;
    if (c < 0x20 || c == 0x7f) flat += fmt::format("\\x{:02x}", c);
    else flat += static_cast<char>(c);
  }
  while (!flat.empty() && flat.back() == ' ') flat.pop_back();
  return util::truncate_utf8(flat, max_bytes);
}

std::string sessions_table(const std::vector<db::SessionRow>& rows, const std::vector<std::string>& results) {
  using output::Align;
  const bool with_results = !results.empty();
  std::vector<std::string> headers{"PID"};
  std::vector<Align> align{Align::right};
  if (with_results) {
    headers.push_back("RESULT");
    align.push_back(Align::left);
  }
  for (const char* h : {"BACKEND START", "USER", "APP", "CLIENT", "STATE", "AGE", "XACT AGE", "WAIT", "QUERY"}) {
    headers.emplace_back(h);
    align.push_back(std::string_view(h).find("AGE") != std::string_view::npos ? Align::right : Align::left);
  }
  output::Table t(headers, align);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& s = rows[i];
    std::vector<std::string> cells{std::to_string(s.pid)};
    if (with_results) cells.push_back(i < results.size() ? results[i] : "");
    std::string wait = s.wait_event_type.empty() ? "" : s.wait_event_type + ":" + s.wait_event;
    for (std::string c : {s.backend_start, one_line(s.user, 20), one_line(s.app, 24), s.client,
                          s.state.empty() ? std::string("?") : s.state, db::age_text(s.age_s),
                          db::age_text(s.xact_age_s), wait, one_line(s.query, 60)}) {
      cells.push_back(c.empty() ? "-" : c);
    }
    t.add_row(cells);
  }
  return t.render();
}

}  // namespace opsctl::cmd
