#pragma once
// Durations as people type them: 500ms, 30s, 5m, 2h, 7d (and sums such as 1h30m).
#include <chrono>
#include <string>
#include <string_view>

namespace opsctl::util {

using Millis = std::chrono::milliseconds;

// Parses a duration; a bare "0" is zero. Throws usage_error naming the text on anything else
// (empty, negative, unknown unit, overflow).
Millis parse_duration(std::string_view text);

// Compact human form with the two largest units: "850ms", "12s", "4m 05s", "3h 12m", "2d 04h".
std::string format_duration(Millis d);

}  // namespace opsctl::util
