#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "util/text.h"

using namespace opsctl::util;

TEST_SUITE("text") {
  TEST_CASE("base64 of RFC 4648 vectors and binary bytes") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    CHECK(base64_encode(std::string("\xff\xfe\x00", 3)) == "//4A");
  }

  TEST_CASE("iso8601 in UTC with milliseconds") {
    CHECK(iso8601_utc(0) == "1970-01-01T00:00:00.000Z");
    CHECK(iso8601_utc(1'795'624'008'123) == "2026-11-25T16:26:48.123Z");
    CHECK(iso8601_utc(951'782'400'000) == "2000-02-29T00:00:00.000Z");  // leap day
    CHECK(iso8601_utc(-1) == "1969-12-31T23:59:59.999Z");
  }

  TEST_CASE("iso8601 survives extreme values") {
    CHECK_FALSE(iso8601_utc(INT64_MAX).empty());
    CHECK_FALSE(iso8601_utc(INT64_MIN).empty());
  }

  TEST_CASE("parse_int is strict") {
    CHECK(parse_int("0") == 0);
    CHECK(parse_int("42") == 42);
    CHECK(parse_int("-7") == -7);
    CHECK(parse_int("9223372036854775807") == INT64_MAX);
    CHECK(parse_int("-9223372036854775808") == INT64_MIN);
    CHECK_FALSE(parse_int("").has_value());
    CHECK_FALSE(parse_int("-").has_value());
    CHECK_FALSE(parse_int("+1").has_value());
    CHECK_FALSE(parse_int(" 1").has_value());
    CHECK_FALSE(parse_int("1 ").has_value());
    CHECK_FALSE(parse_int("1.0").has_value());
    CHECK_FALSE(parse_int("0x10").has_value());
    CHECK_FALSE(parse_int("9223372036854775808").has_value());
  }

  TEST_CASE("UTF-8 validation") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
    CHECK_FALSE(is_valid_utf8("\xFF"));
    CHECK_FALSE(is_valid_utf8("\xC3"));              // truncated
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(is_valid_utf8("\x80"));              // lone continuation
  }

  TEST_CASE("truncate_utf8 cuts on a character boundary within the byte limit") {
    CHECK(truncate_utf8("short", 10) == "short");
    CHECK(truncate_utf8("exact", 5) == "exact");
    CHECK(truncate_utf8("abcdefghij", 6) == "abc\xE2\x80\xA6");
    CHECK(truncate_utf8("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 6) == "\xC3\xA9\xE2\x80\xA6");
    CHECK(truncate_utf8("a\xF0\x9F\x98\x80xyz", 7) == "a\xE2\x80\xA6");  // never half an emoji
    CHECK(truncate_utf8("abcdef", 2) == "ab");  // no room for the ellipsis
    CHECK(truncate_utf8("abcdef", 0) == "");
    CHECK(truncate_utf8("abcdefghij", 6).size() <= 6);
  }

  TEST_CASE("edit distance") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("retry", "retyr") == 2);
    CHECK(edit_distance("pause", "pause") == 0);
  }

  TEST_CASE("closest_match suggests plausible typos only") {
    const std::vector<std::string> verbs = {"list", "inspect", "retry", "clear", "pause", "resume", "promote"};
    CHECK(closest_match("retyr", verbs) == "retry");
    CHECK(closest_match("inspet", verbs) == "inspect");
    CHECK(closest_match("lst", verbs) == "list");
    CHECK(closest_match("PAUSE", verbs) == "pause");
    CHECK(closest_match("promot", verbs) == "promote");
    CHECK(closest_match("delete", verbs) == "");
    CHECK(closest_match("xyz", verbs) == "");
    CHECK(closest_match("", verbs) == "");
    CHECK(closest_match("retry", {}) == "");
  }

  TEST_CASE("shell_quote: plain words unchanged, the rest in single quotes") {
    CHECK(shell_quote("/etc/opsctl/redis.pass") == "/etc/opsctl/redis.pass");
    CHECK(shell_quote("a-b_c.d+e@f%g:h,i=j") == "a-b_c.d+e@f%g:h,i=j");
    CHECK(shell_quote("/srv/my secrets/redis.pass") == "'/srv/my secrets/redis.pass'");
    CHECK(shell_quote("it's") == "'it'\\''s'");
    CHECK(shell_quote("$HOME/*") == "'$HOME/*'");
    CHECK(shell_quote("") == "''");
  }
}
