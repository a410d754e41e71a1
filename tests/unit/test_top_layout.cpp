// opsctl top's frames without a terminal (top/layout.h, top/drill.h): 80x24 and wider, columns that
// drop as the screen narrows, scrolling to the selection, staleness, the drill-down's grouping.
#include <doctest/doctest.h>

#include "top/drill.h"
#include "top/layout.h"

using namespace opsctl;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

top::Snapshot snapshot(int queues) {
  top::Snapshot s;
  s.good_at_ms = s.tried_at_ms = kNow - 500;
  s.fetch_ms = 3;
  for (int i = 0; i < queues; ++i) {
    top::QueueRow r;
    r.s.queue = "queue-" + std::to_string(i < 10 ? 0 : i / 10) + std::to_string(i % 10);
    r.s.waiting = 1000 + i;
    r.s.failed = 12345;
    r.s.status = i == 3 ? Status::critical : Status::ok;
    r.s.finding = i == 3 ? "1003 waiting (> 50 critical)" : "";
    r.completed_per_min = 12.4;
    r.failed_per_min = 0.5;
    s.rows.push_back(r);
  }
  return s;
}

top::View view() {
  top::View v;
  v.target = "redis 127.0.0.1:6379 prefix bull";
  v.now_ms = kNow;
  v.sort = top::SortKey::name;
  return v;
}

std::string header_line(const std::vector<top::Line>& lines) {
  for (const auto& l : lines) {
    if (l.text.rfind("QUEUE", 0) == 0) return l.text;
  }
  return "";
}

}  // namespace

TEST_SUITE("top layout") {
  TEST_CASE("80x24: exactly 24 lines of at most 80 columns, the essential columns kept") {
    auto lines = top::queues_frame(snapshot(5), view(), 80, 24);
    REQUIRE(lines.size() == 24);
    for (const auto& l : lines) CHECK(l.text.size() <= 80);
    const auto head = header_line(lines);
    CHECK(head.find("STATUS") != std::string::npos);
    CHECK(head.find("WAIT") != std::string::npos);
    CHECK(head.find("FAIL/m") != std::string::npos);
    CHECK(head.find("P95") == std::string::npos);   // dropped first
    CHECK(head.find("DONE ") == std::string::npos);
    CHECK(lines[0].text.find("redis 127.0.0.1:6379") != std::string::npos);
  }

  TEST_CASE("wider screens show every column and the finding") {
    auto lines = top::queues_frame(snapshot(5), view(), 160, 40);
    const auto head = header_line(lines);
    for (const char* c : {"QUEUE", "STATUS", "WAIT", "ACTIVE", "DELAY", "FAILED", "DONE", "DONE/m", "FAIL/m", "OLDEST", "P95", "WRK", "FINDING"}) {
      CHECK_MESSAGE(head.find(c) != std::string::npos, c);
    }
    bool critical_row = false;
    for (const auto& l : lines) {
      if (l.text.find("queue-03") != std::string::npos) {
        critical_row = l.coloured && l.level == Status::critical && l.text.find("1003 waiting") != std::string::npos;
      }
    }
    CHECK(critical_row);
    CHECK(lines.size() == 40);
  }

  TEST_CASE("compact figures fit their cells") {
    CHECK(top::compact(999) == "999");
    CHECK(top::compact(12345) == "12k");
    CHECK(top::compact(1234) == "1.2k");
    CHECK(top::compact(2'500'000) == "2.5M");
    CHECK(top::rate_text(std::nullopt) == "-");
    CHECK(top::rate_text(0.46) == "0.5");
    CHECK(top::rate_text(120.4) == "120");
    CHECK(top::age_cell(65'000) == "1m05s");
  }

  TEST_CASE("the selection stays on screen: rows scroll") {
    auto v = view();
    v.selected = 50;
    auto lines = top::queues_frame(snapshot(60), v, 100, 24);
    bool selected_shown = false;
    for (const auto& l : lines) selected_shown = selected_shown || (l.selected && l.text.find("queue-50") != std::string::npos);
    CHECK(selected_shown);
  }

  TEST_CASE("without a height (--once) every row is printed") {
    auto lines = top::queues_frame(snapshot(60), view(), 120, 0);
    CHECK(top::to_text(lines).find("queue-59") != std::string::npos);
  }

  TEST_CASE("stale data says so with its age and the error; fresh data with its age") {
    auto s = snapshot(1);
    auto v = view();
    CHECK(top::freshness(s, v) == "updated 500ms ago");
    CHECK_FALSE(top::is_stale(s, v));
    s.error = "redis 127.0.0.1:6379: connection refused";
    v.now_ms = kNow + 14'000;
    CHECK(top::is_stale(s, v));
    CHECK(top::freshness(s, v).find("STALE: last data 14s ago (redis 127.0.0.1:6379: connection refused)") == 0);
    s.error.clear();  // no error, but no fetch ended for more than two intervals
    CHECK(top::is_stale(s, v));
  }

  TEST_CASE("read-only is said on the status line") {
    auto v = view();
    v.read_only = "context prod is read_only: actions are disabled";
    auto lines = top::queues_frame(snapshot(1), v, 80, 24);
    CHECK(lines.back().text.find("read-only: context prod") == 0);
  }
}

TEST_SUITE("top drill-down") {
  TEST_CASE("failures grouped by reason with counts and the newest one's age") {
    std::vector<queue::FailureGroup> groups{{"SMTP 421", 3, {"9", "7", "5"}}, {"timeout\nat x", 5, {"8"}}};
    groups[1].reason = "timeout";
    std::vector<queue::JobRow> jobs(3);
    jobs[0].id = "9";
    jobs[0].failed_reason = "SMTP 421";
    jobs[0].finished_on = kNow - 2000;
    jobs[1].id = "8";
    jobs[1].failed_reason = "timeout\n    at worker.js:10";
    jobs[1].finished_on = kNow - 7000;
    jobs[2].id = "7";
    jobs[2].failed_reason = "SMTP 421";
    jobs[2].finished_on = kNow - 9000;
    auto rows = top::group_reasons(groups, jobs, kNow);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].reason == "timeout");  // most first
    CHECK(rows[0].count == 5);
    CHECK(*rows[0].newest_age_ms == 7000);
    CHECK(rows[1].reason == "SMTP 421");
    CHECK(*rows[1].newest_age_ms == 2000);
  }

  TEST_CASE("active jobs with age and lock state; schedulers with their next run") {
    queue::InspectResult r;
    r.ref = {"bull", "emails"};
    r.now_ms = kNow;
    queue::ActiveJob locked{"1", std::string("send"), kNow - 3000, 25000};
    queue::ActiveJob gone{"2", std::string("send"), kNow - 600000, std::nullopt};
    r.figures.active = {locked, gone};
    queue::SchedulersResult sr;
    queue::SchedulerInfo ok, late;
    ok.id = "hourly";
    ok.next_run_ms = kNow + 60000;
    late.id = "nightly";
    late.next_run_ms = kNow - 120000;
    late.overdue = true;
    sr.schedulers = {ok, late};
    r.schedulers = sr;
    auto d = top::make_drill(r, {});
    REQUIRE(d.active.size() == 2);
    CHECK(d.active[0].lock == "locked 25s");
    CHECK_FALSE(d.active[0].stuck);
    CHECK(d.active[1].lock == "NO LOCK");
    CHECK(d.active[1].stuck);
    CHECK(*d.active[1].age_ms == 600000);
    REQUIRE(d.schedulers.size() == 2);
    CHECK(d.schedulers[1].state == "overdue");
    CHECK(d.schedulers[1].level == Status::warning);
    auto lines = top::drill_frame(d, snapshot(0), view(), 80, 24);
    CHECK(lines.size() == 24);
    bool late_shown = false;
    for (const auto& l : lines) late_shown = late_shown || l.text.find("nightly  2m00s late  overdue") != std::string::npos;
    CHECK(late_shown);
  }

  TEST_CASE("a reason becomes an anchored, escaped expression for queue retry --reason") {
    CHECK(top::reason_pattern("Error: x (y) [1]") == "^Error: x \\(y\\) \\[1\\]");
    CHECK(top::reason_pattern("a.b*c") == "^a\\.b\\*c");
  }
}
