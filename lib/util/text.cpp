#include "util/text.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace opsctl::util {
namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t chunk = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      chunk = (chunk << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    }
    for (std::size_t k = 0; k < 4; ++k) {
      out += k <= n ? k_alphabet[(chunk >> (18 - 6 * k)) & 0x3F] : '=';
    }
  }
  return out;
}

std::string iso8601_utc(std::int64_t epoch_ms) {
  // Floor division so times before 1970 land on the right day; no <chrono> calendar types, whose
  // int-based year would overflow for the extreme values a corrupt job timestamp can hold.
  constexpr std::int64_t k_day_ms = 86'400'000;
  std::int64_t days = epoch_ms / k_day_ms;
  std::int64_t ms_of_day = epoch_ms % k_day_ms;
  if (ms_of_day < 0) {
    ms_of_day += k_day_ms;
    --days;
  }
  // Howard Hinnant's civil_from_days, in 64-bit arithmetic.
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year, month, day, ms_of_day / 3'600'000,
                     ms_of_day / 60'000 % 60, ms_of_day / 1000 % 60, ms_of_day % 1000);
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t value = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value, 10);  // rejects "+1", " 1", overflow
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Lead byte gives the length and the allowed range of the second byte, which is what rules out
    // overlong forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and > U+10FFFF.
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      if (!is_continuation(static_cast<unsigned char>(s[i + k]))) return false;
    }
    i += len;
  }
  return true;
}

std::string truncate_utf8(std::string_view s, std::size_t max_bytes) {
  static constexpr std::string_view k_ellipsis = "\xE2\x80\xA6";  // U+2026
  if (s.size() <= max_bytes) return std::string(s);
  // The ellipsis counts towards max_bytes, so callers get a hard bound; below 3 bytes it cannot fit.
  const bool with_ellipsis = max_bytes >= k_ellipsis.size();
  std::size_t cut = with_ellipsis ? max_bytes - k_ellipsis.size() : max_bytes;
  // Step back over at most 3 continuation bytes; further back it is not UTF-8 anyway.
  for (int k = 0; k < 3 && cut > 0 && is_continuation(static_cast<unsigned char>(s[cut])); ++k) --cut;
  std::string out(s.substr(0, cut));
  if (with_ellipsis) out += k_ellipsis;
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.empty()) return "";
  // Short words allow one typo; longer ones a third of their length but at least two, so that a
  // swapped pair of letters ("retyr") still finds its word.
  const std::size_t allowed = word.size() <= 3 ? 1 : std::max<std::size_t>(2, word.size() / 3);
  const std::string w = lower(word);
  std::string best;
  std::size_t best_distance = allowed + 1;
  for (const auto& candidate : candidates) {
    const std::size_t d = edit_distance(w, lower(candidate));
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string shell_quote(std::string_view s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("_./-+@%:,=").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace opsctl::util
