#include "pg/result.h"

#include <charconv>
#include <cstdlib>

namespace opsctl::pg {
namespace {
const Value k_null;
}

std::optional<std::size_t> Result::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  return std::nullopt;
}

const Value& Row::value(std::string_view name) const {
  auto c = result_.column(name);
  if (!c || row_ >= result_.rows.size() || *c >= result_.rows[row_].size()) return k_null;
  return result_.rows[row_][*c];
}

std::string Row::text(std::string_view name, std::string_view if_null) const {
  const Value& v = value(name);
  return v ? *v : std::string(if_null);
}

std::optional<std::int64_t> Row::integer(std::string_view name) const {
  const Value& v = value(name);
  if (!v || v->empty()) return std::nullopt;
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size()) return std::nullopt;
  return out;
}

std::optional<double> Row::number(std::string_view name) const {
  const Value& v = value(name);
  if (!v || v->empty()) return std::nullopt;
  char* end = nullptr;
  double out = std::strtod(v->c_str(), &end);
  if (end != v->c_str() + v->size()) return std::nullopt;
  return out;
}

bool Row::boolean(std::string_view name) const {
  const Value& v = value(name);
  return v && (*v == "t" || *v == "true");
}

}  // namespace opsctl::pg
