#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "core/error.h"
#include "util/duration.h"

using opsctl::util::format_duration;
using opsctl::util::Millis;
using opsctl::util::parse_duration;

namespace {

// The message of the usage error parse_duration throws, or "" when it does not throw.
std::string parse_error(std::string_view text) {
  try {
    parse_duration(text);
  } catch (const opsctl::Error& e) {
    CHECK(e.code() == opsctl::ExitCode::usage);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_SUITE("duration") {
  TEST_CASE("parses every unit") {
    CHECK(parse_duration("500ms") == Millis{500});
    CHECK(parse_duration("30s") == Millis{30'000});
    CHECK(parse_duration("5m") == Millis{300'000});
    CHECK(parse_duration("2h") == Millis{7'200'000});
    CHECK(parse_duration("7d") == Millis{604'800'000});
  }

  TEST_CASE("zero is accepted bare and with a unit") {
    CHECK(parse_duration("0") == Millis{0});
    CHECK(parse_duration("0s") == Millis{0});
    CHECK(parse_duration("0ms") == Millis{0});
  }

  TEST_CASE("sums of components") {
    CHECK(parse_duration("1h30m") == Millis{5'400'000});
    CHECK(parse_duration("1m30s500ms") == Millis{90'500});
    CHECK(parse_duration("2d4h") == Millis{187'200'000});
    CHECK(parse_duration("1h 30m") == Millis{5'400'000});  // what format_duration writes
  }

  TEST_CASE("rejects malformed text with a usage error naming it") {
    CHECK(parse_error("").find("invalid duration \"\"") != std::string::npos);
    CHECK(parse_error("5").find("\"5\"") != std::string::npos);
    CHECK(parse_error("5").find("missing unit") != std::string::npos);
    CHECK(parse_error("-5s").find("negative") != std::string::npos);
    CHECK(parse_error("5x").find("unknown unit \"x\"") != std::string::npos);
    CHECK(parse_error("s").find("expected a number") != std::string::npos);
    CHECK_FALSE(parse_error("5M").empty());
    CHECK_FALSE(parse_error("1.5h").empty());
    CHECK_FALSE(parse_error(" 5s").empty());
    CHECK_FALSE(parse_error("5s ").empty());
    CHECK_FALSE(parse_error("5 s").empty());
    CHECK_FALSE(parse_error("+5s").empty());
    CHECK_FALSE(parse_error("00").empty());
    CHECK_FALSE(parse_error("1h30").empty());
  }

  TEST_CASE("rejects overflow instead of wrapping") {
    CHECK(parse_error("99999999999999999999ms").find("too large") != std::string::npos);
    CHECK(parse_error("9223372036854775807d").find("too large") != std::string::npos);
    CHECK(parse_error("106751991168d").find("too large") != std::string::npos);
    CHECK(parse_error("9223372036854775807ms1ms").find("too large") != std::string::npos);
    CHECK(parse_duration("9223372036854775807ms") == Millis{INT64_MAX});
    CHECK(parse_duration("106751991167d") == Millis{106751991167LL * 86'400'000});
  }

  TEST_CASE("formats with the two largest units") {
    CHECK(format_duration(Millis{0}) == "0ms");
    CHECK(format_duration(Millis{850}) == "850ms");
    CHECK(format_duration(Millis{12'000}) == "12s");
    CHECK(format_duration(Millis{12'999}) == "12s");
    CHECK(format_duration(Millis{245'000}) == "4m 05s");
    CHECK(format_duration(Millis{60'000}) == "1m 00s");
    CHECK(format_duration(Millis{3 * 3'600'000 + 12 * 60'000 + 59'000}) == "3h 12m");
    CHECK(format_duration(Millis{2 * 86'400'000LL + 4 * 3'600'000}) == "2d 04h");
    CHECK(format_duration(Millis{400 * 86'400'000LL}) == "400d 00h");
  }

  TEST_CASE("formats negative durations without overflow") {
    CHECK(format_duration(Millis{-850}) == "-850ms");
    CHECK(format_duration(Millis{INT64_MIN}).front() == '-');
  }

  TEST_CASE("format_duration output parses back") {
    CHECK(parse_duration(format_duration(Millis{245'000})) == Millis{245'000});
    CHECK(parse_duration(format_duration(Millis{2 * 86'400'000LL + 4 * 3'600'000})) ==
          Millis{2 * 86'400'000LL + 4 * 3'600'000});
  }
}
