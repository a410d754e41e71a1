#include <doctest/doctest.h>

#include "core/error.h"
#include "queue/redis/retry_batch.h"
#include "queue/redis/retry_common.h"
#include "queue/redis/retry_page.h"

using namespace opsctl;
using namespace opsctl::queue;

TEST_SUITE("queue.retry.cursor") {
  TEST_CASE("an empty page keeps the cursor") {
    PageCursor c{"17", 3};
    auto n = next_cursor(c, {});
    CHECK(n.min_score == "17");
    CHECK(n.offset == 3);
  }

  TEST_CASE("every job moved: the next page starts at the last score, no offset") {
    auto n = next_cursor({}, {{"10", false}, {"11", false}, {"12", false}});
    CHECK(n.min_score == "12");
    CHECK(n.offset == 0);
  }

  TEST_CASE("jobs that stay at the last score are skipped by offset; earlier ones are behind min") {
    auto n = next_cursor({}, {{"10", true}, {"12", true}, {"12", false}, {"12", true}});
    CHECK(n.min_score == "12");
    CHECK(n.offset == 2);
  }

  TEST_CASE("a page at the same score as the cursor adds to its offset") {
    auto n = next_cursor({"12", 5}, {{"12", true}, {"12", false}, {"12", true}});
    CHECK(n.min_score == "12");
    CHECK(n.offset == 7);
    auto m = next_cursor({"12", 5}, {{"12", true}, {"13", false}});
    CHECK(m.min_score == "13");
    CHECK(m.offset == 0);
  }
}

TEST_SUITE("queue.retry.batch_size") {
  TEST_CASE("a call over the budget halves the size, down to the minimum") {
    BatchSizer s(200, 25);
    CHECK(s.size() == 200);
    s.observe(BatchSizer::budget_ms + 0.1);
    CHECK(s.size() == 100);
    for (int i = 0; i < 10; ++i) s.observe(50);
    CHECK(s.size() == 25);
  }

  TEST_CASE("ten quick calls in a row double it back, never above the initial size") {
    BatchSizer s(200, 25);
    s.observe(10);
    s.observe(10);
    CHECK(s.size() == 50);
    for (int i = 0; i < 9; ++i) s.observe(0.2);
    CHECK(s.size() == 50);
    s.observe(0.2);
    CHECK(s.size() == 100);
    for (int i = 0; i < 50; ++i) s.observe(0.2);
    CHECK(s.size() == 200);
  }

  TEST_CASE("a call that is not quick breaks the run of quick ones") {
    BatchSizer s(200, 25);
    s.observe(10);
    for (int i = 0; i < 9; ++i) s.observe(0.2);
    s.observe(BatchSizer::budget_ms * 0.9);  // not quick, not slow
    CHECK(s.size() == 100);
    for (int i = 0; i < 9; ++i) s.observe(0.2);
    CHECK(s.size() == 100);
    s.observe(0.2);
    CHECK(s.size() == 200);
  }
}

TEST_SUITE("queue.retry.paused_list") {
  TEST_CASE("only a known BullMQ 6+ keeps paused jobs in wait") {
    CHECK_FALSE(uses_legacy_paused_list(std::string("bullmq:6.7.0")));
    CHECK_FALSE(uses_legacy_paused_list(std::string("bullmq:6.0.0")));
    CHECK_FALSE(uses_legacy_paused_list(std::string("bullmq:10.1.2")));
    CHECK(uses_legacy_paused_list(std::string("bullmq:5.81.3")));
    CHECK(uses_legacy_paused_list(std::string("bullmq-pro:7.30.0")));
    CHECK(uses_legacy_paused_list(std::string("bullmq:")));
    CHECK(uses_legacy_paused_list(std::string("garbage")));
    CHECK(uses_legacy_paused_list(std::nullopt));
  }
}

TEST_SUITE("queue.retry.filter") {
  TEST_CASE("no filter matches everything") {
    QueueRetryOptions o;
    JobFilter f(o);
    CHECK_FALSE(f.active());
    CHECK(f.matches(std::nullopt, std::nullopt));
  }

  TEST_CASE("--name is exact, --reason is a regex searched in failedReason") {
    QueueRetryOptions o;
    o.name = "send";
    o.reason = "SMTP 4[0-9]{2}";
    JobFilter f(o);
    CHECK(f.active());
    CHECK(f.matches(std::string("send"), std::string("error: SMTP 421 busy")));
    CHECK_FALSE(f.matches(std::string("send-welcome"), std::string("SMTP 421")));
    CHECK_FALSE(f.matches(std::string("send"), std::string("SMTP 550")));
    CHECK_FALSE(f.matches(std::string("send"), std::nullopt));
    CHECK_FALSE(f.matches(std::nullopt, std::string("SMTP 421")));
  }

  TEST_CASE("a bad regex is a usage error naming it") {
    QueueRetryOptions o;
    o.reason = "(unclosed";
    try {
      JobFilter f(o);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::usage);
      CHECK(std::string(e.what()).find("(unclosed") != std::string::npos);
    }
  }
}

TEST_SUITE("queue.retry.reply") {
  redis::Reply str(const std::string& s) { return {redis::ReplyType::string, s, 0, {}}; }
  redis::Reply num(std::int64_t n) { return {redis::ReplyType::integer, "", n, {}}; }
  redis::Reply arr(std::vector<redis::Reply> v) { return {redis::ReplyType::array, "", 0, std::move(v)}; }

  TEST_CASE("the script's reply becomes counts, notes and its run time") {
    auto b = parse_batch(arr({num(2), num(3), str("1700000000002"), arr({str("7"), str("9")}),
                              arr({num(1), num(-1)}), arr({str("1700000000000"), str("1700000000002")}), num(1500)}));
    CHECK(b.moved == 2);
    CHECK(b.considered == 3);
    CHECK(b.last_score == "1700000000002");
    REQUIRE(b.notes.size() == 2);
    CHECK(b.notes[1].id == "9");
    CHECK(b.notes[1].code == -1);
    CHECK(b.server_ms == doctest::Approx(1.5));
  }

  TEST_CASE("any other shape is refused") {
    CHECK_THROWS_AS(parse_batch(arr({num(1)})), Error);
    CHECK_THROWS_AS(parse_batch(arr({num(0), num(0), str(""), arr({str("x")}), arr({}), arr({}), num(0)})), Error);
    CHECK_THROWS_AS(parse_batch(str("OK")), Error);
  }
}
