#include "output/format.h"

#include <fmt/format.h>

#include "core/error.h"
#include "util/text.h"

namespace opsctl::output {
namespace {

constexpr std::string_view k_reset = "\x1b[0m";

std::string wrap(std::string_view code, std::string_view text) {
  return fmt::format("{}{}{}", code, text, k_reset);
}

}  // namespace

Format parse_format(std::string_view name) {
  if (name == "text") return Format::text;
  if (name == "json") return Format::json;
  if (name == "nagios") return Format::nagios;
  if (name == "prom") return Format::prom;
  const std::vector<std::string> names = {"text", "json", "nagios", "prom"};
  const std::string guess = util::closest_match(name, names);
  const std::string hint = guess.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", guess);
  throw usage_error(fmt::format("invalid output format \"{}\"{}: valid formats are text, json, nagios, prom",
                                name, hint));
}

std::string json_document(const nlohmann::json& doc) {
  // error_handler_t::replace: Redis hands us arbitrary bytes; dump must not throw on them.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string colorize(Status s, std::string_view text, bool color) {
  if (!color || text.empty()) return std::string(text);
  switch (s) {
    case Status::ok: return wrap("\x1b[32m", text);        // green
    case Status::warning: return wrap("\x1b[33m", text);   // yellow
    case Status::critical: return wrap("\x1b[31m", text);  // red
    case Status::unknown: return wrap("\x1b[35m", text);   // magenta
  }
  return std::string(text);
}

std::string bold(std::string_view text, bool color) {
  if (!color || text.empty()) return std::string(text);
  return wrap("\x1b[1m", text);
}

}  // namespace opsctl::output
