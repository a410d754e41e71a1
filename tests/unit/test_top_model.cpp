// opsctl top's model (top/model.h): rates from successive samples, the window's average before
// there are two, sorting and the `/` filter.
#include <doctest/doctest.h>

#include "top/model.h"

using namespace opsctl;
using top::QueueRow;
using top::QueueSample;

namespace {

QueueSample sample(const std::string& name, std::int64_t completed, std::int64_t failed, Status st = Status::ok) {
  QueueSample s;
  s.queue = name;
  s.completed = completed;
  s.failed = failed;
  s.status = st;
  s.window_ms = 15 * 60 * 1000;
  s.completed_in_window = 30;
  s.failed_in_window = 15;
  return s;
}

std::vector<std::string> names(const std::vector<QueueRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.s.context + "/" + r.s.queue);
  return out;
}

}  // namespace

TEST_SUITE("top model") {
  TEST_CASE("the first sample's rates are the window's average") {
    top::Rates rates;
    auto rows = rates.update({sample("a", 100, 10)}, 1'000'000);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].rates_from_window);
    CHECK(*rows[0].completed_per_min == doctest::Approx(2.0));  // 30 in 15 minutes
    CHECK(*rows[0].failed_per_min == doctest::Approx(1.0));
  }

  TEST_CASE("rates come from the count deltas over the time between two samples") {
    top::Rates rates;
    rates.update({sample("a", 100, 10)}, 1'000'000);
    auto rows = rates.update({sample("a", 160, 13)}, 1'030'000);  // 30 s later
    REQUIRE(rows.size() == 1);
    CHECK_FALSE(rows[0].rates_from_window);
    CHECK(*rows[0].completed_per_min == doctest::Approx(120.0));
    CHECK(*rows[0].failed_per_min == doctest::Approx(6.0));
    // Then nothing moves: the rates drop to zero.
    rows = rates.update({sample("a", 160, 13)}, 1'032'000);
    CHECK(*rows[0].completed_per_min == doctest::Approx(0.0));
  }

  TEST_CASE("a count that went down (retention trimmed it) falls back to the window's average") {
    top::Rates rates;
    rates.update({sample("a", 1000, 10)}, 0);
    auto rows = rates.update({sample("a", 900, 12)}, 10'000);
    CHECK(rows[0].rates_from_window);
    CHECK(*rows[0].completed_per_min == doctest::Approx(2.0));
  }

  TEST_CASE("queues are told apart by context and name; a queue that went away is forgotten") {
    top::Rates rates;
    auto a1 = sample("a", 0, 0), a2 = sample("a", 100, 0);
    a1.context = "prod";
    a2.context = "staging";
    rates.update({a1, a2}, 0);
    a1.completed = 60;
    a2.completed = 100;
    auto rows = rates.update({a1, a2}, 60'000);
    CHECK(*rows[0].completed_per_min == doctest::Approx(60.0));
    CHECK(*rows[1].completed_per_min == doctest::Approx(0.0));
    rates.update({a2}, 120'000);
    rows = rates.update({a1}, 180'000);  // a1 reappears: no previous sample kept
    CHECK(rows[0].rates_from_window);
  }

  TEST_CASE("rate_per_min: nothing to tell without time between samples") {
    CHECK_FALSE(top::rate_per_min(1, 2, 0).has_value());
    CHECK_FALSE(top::rate_per_min(5, 2, 1000).has_value());
    CHECK(*top::rate_per_min(0, 1, 1000) == doctest::Approx(60.0));
  }

  TEST_CASE("sorting: worst verdict first, ties by name; by waiting; by failed rate; by name") {
    std::vector<QueueRow> rows;
    rows.push_back({sample("b", 0, 0, Status::ok), 1.0, 5.0, false});
    rows.push_back({sample("a", 0, 0, Status::critical), 2.0, 1.0, false});
    rows.push_back({sample("c", 0, 0, Status::warning), 3.0, 9.0, false});
    rows.push_back({sample("d", 0, 0, Status::critical), std::nullopt, std::nullopt, true});
    rows[0].s.waiting = 50;
    CHECK(names(top::arrange(rows, top::SortKey::status, "")) == std::vector<std::string>{"/a", "/d", "/c", "/b"});
    CHECK(names(top::arrange(rows, top::SortKey::waiting, "")).front() == "/b");
    CHECK(names(top::arrange(rows, top::SortKey::failed_rate, "")) == std::vector<std::string>{"/c", "/b", "/a", "/d"});
    CHECK(names(top::arrange(rows, top::SortKey::name, "")) == std::vector<std::string>{"/a", "/b", "/c", "/d"});
  }

  TEST_CASE("the filter keeps queues whose name or context contains it, ignoring case") {
    std::vector<QueueRow> rows{{sample("emails", 0, 0), {}, {}, true}, {sample("Reports", 0, 0), {}, {}, true},
                               {sample("sms", 0, 0), {}, {}, true}};
    rows[2].s.context = "prod-eu";
    CHECK(names(top::arrange(rows, top::SortKey::name, "REP")) == std::vector<std::string>{"/Reports"});
    CHECK(names(top::arrange(rows, top::SortKey::name, "eu")) == std::vector<std::string>{"prod-eu/sms"});
    CHECK(top::arrange(rows, top::SortKey::name, "nothing").empty());
  }

  TEST_CASE("the sort key cycles through every key back to status") {
    auto k = top::SortKey::status;
    int n = 0;
    do {
      k = top::next(k);
      ++n;
    } while (k != top::SortKey::status && n < 20);
    CHECK(n == 7);
  }

  TEST_CASE("sample_of: ready jobs, counts, the oldest waiting age by the server's clock, the first finding") {
    queue::QueueFigures f;
    f.ref = {"bull", "emails"};
    f.counts = {{"active", 2}, {"completed", 7}, {"delayed", 1}, {"failed", 3}, {"prioritized", 4}, {"waiting", 5}};
    f.now_ms = 100'000;
    f.oldest_waiting_since = 40'000;
    f.workers = std::vector<queue::WorkerInfo>(2);
    queue::Verdict v;
    v.status = Status::warning;
    v.checks = {{"backlog", Status::ok, {}, {}, {}, "", "fine", ""}, {"failed", Status::warning, {}, {}, {}, "", "3 failed", ""}};
    auto s = top::sample_of(f, v, "prod");
    CHECK(s.waiting == 9);
    CHECK(s.active == 2);
    CHECK(s.failed == 3);
    CHECK(s.completed == 7);
    CHECK(*s.oldest_waiting_age_ms == 60'000);
    CHECK(*s.workers == 2);
    CHECK(s.finding == "3 failed");
    CHECK(s.context == "prod");
  }
}
