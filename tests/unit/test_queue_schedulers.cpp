#include <doctest/doctest.h>

#include "queue/scheduler_judge.h"
#include "queue/redis/schedulers.h"

using namespace opsctl::queue;

namespace {

constexpr std::int64_t now = 1'800'000'000'000;
constexpr std::int64_t grace = 60'000;

SchedulerInfo pending(std::int64_t next_run, const std::string& state = "delayed") {
  SchedulerInfo s;
  s.id = "report";
  s.every_ms = 300'000;
  s.iterations = 4;
  s.next_run_ms = next_run;
  s.next_job_id = scheduler_job_id(s.id, next_run);
  s.next_job_state = state;
  return s;
}

std::vector<std::optional<std::string>> hash(std::optional<std::string> ic, std::optional<std::string> every = "5000") {
  // name tz limit pattern startDate endDate every offset ic
  return {"tick", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, every, "0", ic};
}

}  // namespace

TEST_SUITE("queue.schedulers.parse") {
  TEST_CASE("millis as BullMQ's Lua and Redis write them") {
    CHECK(parse_millis("1700000000000") == 1700000000000);
    CHECK(parse_millis("1.7e+12") == 1700000000000);
    CHECK(parse_millis("1500.0") == 1500);
    CHECK_FALSE(parse_millis("soon"));
    CHECK_FALSE(parse_millis(""));
    CHECK_FALSE(parse_millis("inf"));
  }

  TEST_CASE("legacy repeat keys: name:jobId:endDate:tz:every") {
    auto k = parse_legacy_key("send::::60000");
    REQUIRE(k);
    CHECK(k->name == "send");
    CHECK(k->job_id.empty());
    CHECK_FALSE(k->end_date_ms);
    CHECK_FALSE(k->tz);
    CHECK(k->every_ms == 60000);
    CHECK_FALSE(k->pattern);
  }

  TEST_CASE("legacy repeat keys: a cron pattern with a time zone and an end date") {
    auto k = parse_legacy_key("digest:j1:1900000000000:Europe/Paris:0 */5 * * *");
    REQUIRE(k);
    CHECK(k->name == "digest");
    CHECK(k->job_id == "j1");
    CHECK(k->end_date_ms == 1900000000000);
    CHECK(k->tz == "Europe/Paris");
    CHECK(k->pattern == "0 */5 * * *");
    CHECK_FALSE(k->every_ms);
  }

  TEST_CASE("scheduler ids that are not legacy keys") {
    CHECK_FALSE(parse_legacy_key("9f1c2e55b0d6a0c5a1e5b7c1a2b3c4d5"));  // v5 md5 member
    CHECK_FALSE(parse_legacy_key("x:y:z"));                              // v6 id with colons
    CHECK_FALSE(parse_legacy_key("a:b:notdate:tz:5000"));                // endDate not numeric
    CHECK_FALSE(parse_legacy_key("a:b:::nospace"));                      // suffix neither cron nor number
  }

  TEST_CASE("job ids of a run") {
    CHECK(scheduler_job_id("report", 1700000000000) == "repeat:report:1700000000000");
    CHECK(scheduler_job_id("x:y:z", 5) == "repeat:x:y:z:5");
  }

  TEST_CASE("a Job Scheduler hash has ic; a v5 repeatable's does not") {
    std::vector<Problem> problems;
    SchedulerInfo s;
    s.id = "tick";
    REQUIRE(apply_scheduler_hash(hash("3"), "bull:q:repeat:tick", s, problems));
    CHECK_FALSE(s.legacy);
    CHECK(s.every_ms == 5000);
    CHECK(s.iterations == 3);
    CHECK(problems.empty());
    SchedulerInfo v5;
    v5.id = "md5";
    REQUIRE(apply_scheduler_hash(hash(std::nullopt), "bull:q:repeat:md5", v5, problems));
    CHECK(v5.legacy);
    CHECK(problems.empty());
  }

  TEST_CASE("a missing hash and garbage numbers") {
    std::vector<Problem> problems;
    SchedulerInfo s;
    s.id = "tick";
    CHECK_FALSE(apply_scheduler_hash(std::vector<std::optional<std::string>>(9), "k", s, problems));
    CHECK(problems.empty());
    REQUIRE(apply_scheduler_hash(hash("1", "often"), "bull:q:repeat:tick", s, problems));
    REQUIRE(problems.size() == 2);  // every unreadable, then neither pattern nor every
    CHECK(problems[0].field == "every");
    CHECK(problems[0].key == "bull:q:repeat:tick");
  }

  TEST_CASE("job state from where the job was found") {
    JobProbe p;
    CHECK_FALSE(job_state(p));
    p.hash_exists = true;
    CHECK(job_state(p) == "waiting");
    p.in_delayed = true;
    CHECK(job_state(p) == "delayed");
    p = {};
    p.hash_exists = p.processed = true;
    p.in_active = true;
    CHECK(job_state(p) == "active");
    p.in_active = false;  // taken once, back in wait after a stall
    CHECK(job_state(p) == "waiting");
    p.in_active.reset();  // no LPOS: infer from processedOn
    CHECK(job_state(p) == "active");
    p.in_completed = true;
    CHECK(job_state(p) == "completed");
  }

  TEST_CASE("overdue_count_command counts next runs before now - grace") {
    auto c = overdue_count_command({"bull", "q"}, now, grace);
    CHECK(c == opsctl::redis::Command{"ZCOUNT", "bull:q:repeat", "-inf", "(" + std::to_string(now - grace)});
    opsctl::redis::Reply err;
    err.type = opsctl::redis::ReplyType::error;
    CHECK_FALSE(parse_overdue_count(err));
  }
}

TEST_SUITE("queue.schedulers.judge") {
  TEST_CASE("a delayed next job within grace is fine, past grace overdue") {
    auto s = pending(now - grace);
    judge_scheduler(s, now, grace, false);
    CHECK_FALSE(s.overdue);
    CHECK(s.finding.empty());
    s = pending(now - 40 * 60'000);
    judge_scheduler(s, now, grace, false);
    CHECK(s.overdue);
    CHECK(s.overdue_ms == 40 * 60'000);
    CHECK_FALSE(s.broken);
    CHECK(s.finding.find("still delayed") != std::string::npos);
  }

  TEST_CASE("a waiting next job on a paused queue names the pause") {
    auto s = pending(now - 10 * 60'000, "waiting");
    judge_scheduler(s, now, grace, true);
    CHECK(s.overdue);
    CHECK(s.finding.find("paused") != std::string::npos);
  }

  TEST_CASE("no next job, or a finished one with no later job: broken") {
    auto s = pending(now - 5000);
    s.next_job_state.reset();
    judge_scheduler(s, now, grace, false);
    CHECK(s.broken);
    CHECK_FALSE(s.overdue);
    CHECK(s.finding.find("does not exist") != std::string::npos);
    s = pending(now + 5000, "completed");
    judge_scheduler(s, now, grace, false);
    CHECK(s.broken);
  }

  TEST_CASE("an active next job: just taken is fine, taken long ago with no next job is broken") {
    auto s = pending(now - 2000, "active");
    s.next_job_processed_on_ms = now - 1000;
    judge_scheduler(s, now, grace, false);
    CHECK_FALSE(s.broken);
    s.next_job_processed_on_ms = now - 10 * 60'000;
    judge_scheduler(s, now, grace, false);
    CHECK(s.broken);
  }

  TEST_CASE("limit reached or end date passed: ended, not broken") {
    auto s = pending(now - 3600'000, "completed");
    s.limit = 4;
    judge_scheduler(s, now, grace, false);
    CHECK(s.ended);
    CHECK_FALSE(s.broken);
    CHECK(s.ended_reason == "limit of 4 iterations reached");
    CHECK(s.finding.empty());
    s = pending(now - 3600'000);  // the last run still pending: not ended yet, and overdue
    s.limit = 4;
    judge_scheduler(s, now, grace, false);
    CHECK_FALSE(s.ended);
    CHECK(s.overdue);
    s = pending(now - 3600'000);
    s.next_job_state.reset();
    s.end_date_ms = now - 1;
    judge_scheduler(s, now, grace, false);
    CHECK(s.ended);
    CHECK_FALSE(s.broken);
  }

  TEST_CASE("an unreadable next job is not judged") {
    auto s = pending(now - 3600'000, "unknown");
    judge_scheduler(s, now, grace, false);
    CHECK_FALSE(s.overdue);
    CHECK_FALSE(s.broken);
  }
}
