// A small scanner rather than a regex: a duration is one or more <digits><unit> components, and
// every arithmetic step checks for overflow so "99999999999999999d" is an error, never a wrap.
#include "util/duration.h"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"

namespace opsctl::util {
namespace {

constexpr std::int64_t k_max_ms = std::numeric_limits<std::int64_t>::max();

Error bad_duration(std::string_view text, std::string_view why) {
  return usage_error(fmt::format("invalid duration \"{}\": {} (examples: 500ms, 30s, 5m, 2h, 7d, 1h30m)",
                                 text, why));
}

// Milliseconds per unit, 0 for an unknown unit. Lower case only: "5M" could mean months.
std::int64_t unit_ms(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  if (unit == "d") return 86'400'000;
  return 0;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string format_magnitude(std::uint64_t ms) {
  if (ms < 1000) return fmt::format("{}ms", ms);
  const std::uint64_t s = ms / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m {:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h {:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d {:02}h", s / 86400, s % 86400 / 3600);
}

}  // namespace

Millis parse_duration(std::string_view text) {
  if (text.empty()) throw bad_duration(text, "empty");
  if (text == "0") return Millis{0};
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    // Spaces may separate components ("1h 30m", as format_duration writes), nothing else may.
    if (i > 0 && text[i] == ' ') {
      while (i < text.size() && text[i] == ' ') ++i;
      if (i == text.size()) throw bad_duration(text, "trailing space");
    }
    if (text[i] == '-') throw bad_duration(text, "negative durations are not allowed");
    if (!is_digit(text[i])) throw bad_duration(text, "expected a number");
    std::int64_t n = 0;
    while (i < text.size() && is_digit(text[i])) {
      const int digit = text[i] - '0';
      if (n > (k_max_ms - digit) / 10) throw bad_duration(text, "too large");
      n = n * 10 + digit;
      ++i;
    }
    const std::size_t unit_start = i;
    while (i < text.size() && is_letter(text[i])) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) {
      if (i == text.size()) throw bad_duration(text, "missing unit (ms, s, m, h or d)");
      throw bad_duration(text, fmt::format("unexpected character '{}'", text[i]));
    }
    const std::int64_t per_unit = unit_ms(unit);
    if (per_unit == 0) throw bad_duration(text, fmt::format("unknown unit \"{}\" (use ms, s, m, h or d)", unit));
    if (n > k_max_ms / per_unit) throw bad_duration(text, "too large");
    const std::int64_t part = n * per_unit;
    if (total > k_max_ms - part) throw bad_duration(text, "too large");
    total += part;
  }
  return Millis{total};
}

std::string format_duration(Millis d) {
  const std::int64_t ms = d.count();
  // Negate in unsigned arithmetic: -INT64_MIN does not fit in int64.
  if (ms < 0) return "-" + format_magnitude(0 - static_cast<std::uint64_t>(ms));
  return format_magnitude(static_cast<std::uint64_t>(ms));
}

}  // namespace opsctl::util
