#pragma once
// Small text helpers shared by every layer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsctl::util {

std::string base64_encode(std::string_view bytes);

// Epoch milliseconds to ISO 8601 UTC with milliseconds: 2026-11-25T16:26:48.123Z.
std::string iso8601_utc(std::int64_t epoch_ms);

// Strict decimal integer parsing (whole string, optional leading '-'); nullopt otherwise.
std::optional<std::int64_t> parse_int(std::string_view s);

bool is_valid_utf8(std::string_view s);

// s as one word for a POSIX shell, for commands a message tells the user to run: unchanged when it
// holds only characters no shell treats specially, else in single quotes ('it'\''s').
std::string shell_quote(std::string_view s);

// At most max_bytes bytes, cut on a UTF-8 boundary; appends "…" when it cut.
std::string truncate_utf8(std::string_view s, std::size_t max_bytes);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to word when it is close enough to be a plausible typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace opsctl::util
