// The time-aware queue verdicts from figures alone (queue/checks.h): each rule just below and just
// above its threshold, history outside the window, idle and paused queues, the clock note.
#include <doctest/doctest.h>

#include "queue/checks.h"

using namespace opsctl;
using queue::Check;
using queue::QueueFigures;
using queue::Thresholds;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;
constexpr std::int64_t kSec = 1000, kMin = 60 * kSec;

// A healthy BullMQ queue: one worker, a job finished a second ago, nothing waiting.
QueueFigures healthy() {
  QueueFigures f;
  f.ref = {"bull", "emails"};
  f.shape.layout = queue::Layout::bullmq;
  f.shape.exists = true;
  f.counts = {{"active", 0}, {"completed", 100}, {"delayed", 0}, {"failed", 0}, {"prioritized", 0}, {"waiting", 0},
              {"waiting-children", 0}};
  f.now_ms = f.local_now_ms = kNow;
  f.window_ms = 15 * kMin;
  f.workers = std::vector<queue::WorkerInfo>{{"bull:ZW1haWxz", "127.0.0.1:1", 0}};
  f.completed = {100, 40, true, "set", kNow - kSec, kNow - 2 * 3600 * kSec};
  f.failed = {0, 0, true, "set", std::nullopt, std::nullopt};
  f.jobs_removed = false;  // the id counter equals the jobs held
  return f;
}

void set_count(QueueFigures& f, const std::string& state, std::int64_t n) {
  for (auto& [s, v] : f.counts) {
    if (s == state) v = n;
  }
}

void waiting(QueueFigures& f, std::int64_t n, std::int64_t age_ms) {
  set_count(f, "waiting", n);
  f.oldest_waiting_id = "1";
  f.oldest_waiting_timestamp = f.oldest_waiting_since = kNow - age_ms;
}

bool has_check(const queue::Verdict& v, const std::string& name) {
  for (const auto& c : v.checks) {
    if (c.name == name) return true;
  }
  return false;
}

const Check& check(const queue::Verdict& v, const std::string& name) {
  for (const auto& c : v.checks) {
    if (c.name == name) return c;
  }
  FAIL("no check " << name);
  return v.checks.front();
}

}  // namespace

TEST_SUITE("queue.checks") {
  TEST_CASE("a healthy queue is ok on every check") {
    auto v = queue::judge(healthy(), Thresholds{});
    CHECK(v.status == Status::ok);
    for (const auto& c : v.checks) {
      CHECK_MESSAGE(c.level == Status::ok, c.name << ": " << c.message);
      CHECK(c.why.empty());
    }
  }

  TEST_CASE("backlog: above 10 warns only once the oldest job waited 5 minutes, above 50 at once") {
    auto f = healthy();
    waiting(f, 11, 4 * kMin + 59 * kSec);
    CHECK(check(queue::judge(f, {}), "backlog").level == Status::ok);
    waiting(f, 11, 5 * kMin);
    auto v = queue::judge(f, {});
    CHECK(check(v, "backlog").level == Status::warning);
    CHECK(v.status == Status::warning);
    CHECK(check(v, "backlog").message == "11 waiting (> 10 warning)");
    CHECK(check(v, "backlog").why.find("opsctl runbook run backlog --param queue=emails") != std::string::npos);
    waiting(f, 10, 20 * kMin);
    CHECK(check(queue::judge(f, {}), "backlog").level == Status::ok);
    waiting(f, 50, kSec);
    CHECK(check(queue::judge(f, {}), "backlog").level == Status::ok);
    waiting(f, 51, kSec);
    CHECK(check(queue::judge(f, {}), "backlog").level == Status::critical);
  }

  TEST_CASE("backlog: with no worker connected a young burst warns at once") {
    auto f = healthy();
    f.workers = std::vector<queue::WorkerInfo>{};
    waiting(f, 11, kSec);
    auto k = check(queue::judge(f, {}), "backlog");
    CHECK(k.level == Status::warning);
    CHECK(k.why.find("no worker is connected") != std::string::npos);
  }

  TEST_CASE("failed: only failures within the window count, retained history never raises") {
    auto f = healthy();
    f.failed = {300, 0, true, "set", kNow - 2 * 86400 * kSec, kNow - 3 * 86400 * kSec};
    set_count(f, "failed", 300);
    auto v = queue::judge(f, {});
    CHECK(check(v, "failed").level == Status::ok);
    CHECK(check(v, "failed").message == "0 failed in the last 15m; 300 older failures retained, newest 2d 00h ago");
    CHECK(v.status == Status::ok);
    f.failed.in_window = 5;
    CHECK(check(queue::judge(f, {}), "failed").level == Status::ok);
    f.failed.in_window = 6;
    CHECK(check(queue::judge(f, {}), "failed").level == Status::warning);
    f.failed.in_window = 20;
    CHECK(check(queue::judge(f, {}), "failed").level == Status::warning);
    f.failed.in_window = 21;
    auto crit = queue::judge(f, {});
    CHECK(check(crit, "failed").level == Status::critical);
    CHECK(check(crit, "failed").why.find("opsctl queue retry emails --since 15m") != std::string::npos);
  }

  TEST_CASE("processor down: jobs waiting 10 minutes and nothing finished for 10 minutes") {
    auto f = healthy();
    f.workers = std::vector<queue::WorkerInfo>{};
    waiting(f, 3, 25 * kMin);
    f.completed.newest_ms = kNow - 25 * kMin;
    auto v = queue::judge(f, {});
    const auto& k = check(v, "processor");
    CHECK(k.level == Status::critical);
    CHECK(v.status == Status::critical);
    CHECK(k.message == "processor down: 3 jobs waiting (oldest 25m 00s), nothing finished for 25m 00s, 0 workers connected");
    CHECK(k.why.find("no worker is connected") != std::string::npos);
    CHECK(k.value == doctest::Approx(1500.0));
    CHECK(k.crit == doctest::Approx(600.0));
    // just below: the last job finished 9m 59s ago
    f.completed.newest_ms = kNow - 9 * kMin - 59 * kSec;
    CHECK(check(queue::judge(f, {}), "processor").level == Status::ok);
    // the oldest job waits 9m 59s: not yet
    f.completed.newest_ms = kNow - 25 * kMin;
    waiting(f, 3, 9 * kMin + 59 * kSec);
    CHECK(check(queue::judge(f, {}), "processor").level == Status::ok);
  }

  TEST_CASE("processor: no finished job on record, an idle queue, a paused queue, live long jobs") {
    auto f = healthy();
    f.completed = {0, 0, false, "lower-bound", std::nullopt, std::nullopt};
    waiting(f, 1, 11 * kMin);
    CHECK(check(queue::judge(f, {}), "processor").level == Status::critical);
    CHECK(check(queue::judge(f, {}), "processor").message.find("no job ever finished") != std::string::npos);
    auto idle = healthy();
    idle.completed.newest_ms = kNow - 86400 * kSec;
    CHECK(check(queue::judge(idle, {}), "processor").level == Status::ok);
    CHECK(queue::judge(idle, {}).status == Status::ok);
    auto paused = f;
    paused.shape.paused = true;
    auto pv = queue::judge(paused, {});
    CHECK(check(pv, "processor").level == Status::ok);
    CHECK(check(pv, "paused").level == Status::warning);
    CHECK(check(pv, "paused").why == "nothing runs while the queue is paused: opsctl queue resume emails");
    CHECK(pv.status == Status::warning);
    auto busy = f;
    set_count(busy, "active", 1);
    busy.active = {{"9", "report", kNow - 12 * kMin, 20000}};
    auto bv = queue::judge(busy, {});
    CHECK(check(bv, "processor").level == Status::warning);
    CHECK(check(bv, "processor").message.rfind("busy: ", 0) == 0);
  }

  TEST_CASE("processor: no finished job on record after removals cannot be told from a quiet one") {
    auto f = healthy();
    f.jobs_removed = true;  // removeOnComplete: true keeps nothing
    f.completed = {0, 0, false, "lower-bound", std::nullopt, std::nullopt};
    waiting(f, 3, 30 * kMin);
    auto k = check(queue::judge(f, {}), "processor");
    CHECK(k.level == Status::ok);
    CHECK(k.message.rfind("last finish unknown", 0) == 0);
    f.last_event_finish_ms = kNow - 20 * kMin;  // the events stream knows
    CHECK(check(queue::judge(f, {}), "processor").level == Status::critical);
  }

  TEST_CASE("processor: delayed jobs already due count as waiting (only workers promote them)") {
    auto f = healthy();
    f.workers = std::vector<queue::WorkerInfo>{};
    f.completed.newest_ms = kNow - 30 * kMin;
    f.due_delayed = 4;
    f.oldest_due_ms = kNow - 20 * kMin;
    auto k = check(queue::judge(f, {}), "processor");
    CHECK(k.level == Status::critical);
    CHECK(k.message == "processor down: 4 jobs waiting incl. 4 delayed jobs already due (oldest 20m 00s), nothing finished for 30m 00s, 0 workers connected");
  }

  TEST_CASE("job timeout: active over 5 minutes, lock alive or gone") {
    auto f = healthy();
    set_count(f, "active", 2);
    f.active = {{"7", "send", kNow - 4 * kMin - 59 * kSec, 25000}, {"8", "send", kNow - 7 * kMin - 2 * kSec, 25000}};
    auto v = queue::judge(f, {});
    const auto& k = check(v, "long_active");
    CHECK(k.level == Status::warning);
    CHECK(k.message == "1 active for over 5m: 8 (send, 7m 02s, lock alive)");
    CHECK(k.why.find("opsctl job unstick emails --older-than 5m") != std::string::npos);
    CHECK_FALSE(has_check(v, "stalled"));  // both hold a lock
    f.active[1].lock_ttl_ms.reset();
    auto gone = queue::judge(f, {});
    CHECK(check(gone, "long_active").message == "1 active for over 5m: 8 (send, 7m 02s, lock gone)");
    CHECK(check(gone, "stalled").level == Status::warning);
    CHECK(check(gone, "stalled").message == "1 active without a lock (worker gone)");
  }

  TEST_CASE("processing time: p95 above 30 s warns, above 60 s is critical") {
    auto f = healthy();
    std::vector<std::int64_t> times(20, 1 * kSec);
    f.processing = queue::quantiles(times);
    CHECK(check(queue::judge(f, {}), "processing_time").level == Status::ok);
    f.processing = queue::quantiles(std::vector<std::int64_t>(20, 30 * kSec));
    CHECK(check(queue::judge(f, {}), "processing_time").level == Status::ok);
    f.processing = queue::quantiles(std::vector<std::int64_t>(20, 30 * kSec + 1));
    CHECK(check(queue::judge(f, {}), "processing_time").level == Status::warning);
    f.processing = queue::quantiles(std::vector<std::int64_t>(20, 75 * kSec));
    auto k = check(queue::judge(f, {}), "processing_time");
    CHECK(k.level == Status::critical);
    CHECK(k.value == doctest::Approx(75.0));
    CHECK(k.unit == "s");
  }

  TEST_CASE("quantiles are nearest-rank") {
    std::vector<std::int64_t> v;
    for (int i = 1; i <= 100; ++i) v.push_back(i);
    auto q = queue::quantiles(v);
    CHECK(q.samples == 100);
    CHECK(*q.p50 == 50);
    CHECK(*q.p95 == 95);
    CHECK(*q.max == 100);
    auto one = queue::quantiles({42});
    CHECK(*one.p50 == 42);
    CHECK(*one.p95 == 42);
    CHECK_FALSE(queue::quantiles({}).p95.has_value());
  }

  TEST_CASE("failure ratio: judged from 20 finished jobs, only on an exact completed count") {
    auto f = healthy();
    f.completed.in_window = 17;
    f.failed = {2, 2, true, "set", kNow - kSec, kNow - 20 * kMin};
    CHECK(check(queue::judge(f, {}), "failure_ratio").level == Status::ok);  // 19 finished: not judged
    CHECK(check(queue::judge(f, {}), "failure_ratio").message.rfind("not judged", 0) == 0);
    f.completed.in_window = 18;  // 2 of 20 = 10 %: not above
    CHECK(check(queue::judge(f, {}), "failure_ratio").level == Status::ok);
    f.completed.in_window = 17;
    f.failed.in_window = 3;  // 3 of 20 = 15 %
    auto k = check(queue::judge(f, {}), "failure_ratio");
    CHECK(k.level == Status::warning);
    CHECK(k.value == doctest::Approx(15.0));
    f.completed.exact = false;
    CHECK(check(queue::judge(f, {}), "failure_ratio").level == Status::ok);
  }

  TEST_CASE("schedulers: overdue warns, a broken chain is critical") {
    auto f = healthy();
    f.schedulers = 3;
    CHECK(check(queue::judge(f, {}), "schedulers").level == Status::ok);
    f.schedulers_overdue = 1;
    auto v = queue::judge(f, {});
    CHECK(check(v, "schedulers").level == Status::warning);
    CHECK(check(v, "schedulers").why.find("opsctl queue schedulers emails") != std::string::npos);
    f.schedulers_broken = 1;
    CHECK(check(queue::judge(f, {}), "schedulers").level == Status::critical);
  }

  TEST_CASE("rate limiter and global concurrency are named; a skewed local clock is said") {
    auto f = healthy();
    f.limiter_ttl_ms = 30 * kSec;
    f.limiter_count = 3;
    CHECK(check(queue::judge(f, {}), "rate_limit").message == "rate limiter: 3 jobs started in a period with 30s left");
    f.rate_limited = true;
    f.shape.concurrency = 2;
    set_count(f, "active", 2);
    f.local_now_ms = kNow + 10 * kMin;
    auto v = queue::judge(f, {});
    CHECK(check(v, "rate_limit").message == "rate limiter holds the queue for 30s more; global concurrency 2 (2 active: full, nothing more starts)");
    CHECK(check(v, "clock").message == "this machine's clock is 10m 00s ahead of the Redis server's; ages are judged by the server's clock");
    CHECK(v.status == Status::ok);
    f.local_now_ms = kNow + 5 * kSec;
    CHECK_FALSE(has_check(queue::judge(f, {}), "clock"));
  }

  TEST_CASE("data problems make the verdict unknown, unless a check is critical all the same") {
    auto f = healthy();
    f.problems.push_back({"", "bull:emails:wait", "", "key bull:emails:wait is a hash, expected a list"});
    auto v = queue::judge(f, {});
    CHECK(v.status == Status::unknown);
    CHECK(check(v, "data").level == Status::unknown);
    waiting(f, 3, 1000);
    set_count(f, "waiting", 60);
    CHECK(queue::judge(f, {}).status == Status::critical);
  }

  TEST_CASE("every published figure re-derives its check's level (value above warn or crit)") {
    // What a graphing or re-evaluating system does with perfdata: it must agree with opsctl.
    auto rederive = [](const Check& c) {
      if (!c.value) return Status::ok;
      if (c.crit && *c.value > *c.crit) return Status::critical;
      if (c.warn && *c.value > *c.warn) return Status::warning;
      return Status::ok;
    };
    std::vector<QueueFigures> cases;
    for (std::int64_t n : {0, 3, 11, 51}) {
      for (std::int64_t age : {kSec, 6 * kMin, 11 * kMin, 30 * kMin}) {
        for (int variant = 0; variant < 6; ++variant) {
          auto f = healthy();
          if (n > 0) waiting(f, n, age);
          if (variant == 1) f.workers = std::vector<queue::WorkerInfo>{};
          if (variant == 2) f.shape.paused = true;
          if (variant == 3) {
            set_count(f, "active", 1);
            f.active = {{"9", "x", kNow - age, 1000}};
            f.completed.newest_ms = kNow - 40 * kMin;
          }
          if (variant == 4) {
            f.completed = {0, 0, false, "lower-bound", std::nullopt, std::nullopt};
            f.active = {{"9", "x", kNow - age, std::nullopt}};
          }
          if (variant == 5) {
            f.completed.in_window = 17;
            f.failed = {n, n, true, "set", kNow - kSec, kNow - 20 * kMin};
            f.schedulers = 2;
            f.schedulers_overdue = n > 3 ? 1 : 0;
            f.schedulers_broken = n > 11 ? 1 : 0;
            f.processing = queue::quantiles({age / 20, age / 10});
          }
          cases.push_back(f);
        }
      }
    }
    for (const auto& f : cases) {
      for (const auto& c : queue::judge(f, {}).checks) {
        if (c.name == "data" || c.name == "clock") continue;
        CHECK_MESSAGE(rederive(c) == c.level, c.name << ": " << c.message);
      }
    }
  }

  TEST_CASE("the summary starts with the backlog and the window's failures") {
    auto f = healthy();
    waiting(f, 80, 20 * kMin);
    auto v = queue::judge(f, {});
    INFO(v.summary);
    CHECK(v.summary.rfind("80 waiting (> 50 critical), 0 failed in the last 15m, 0 active", 0) == 0);
  }
}
