// opsctl top's job view without a terminal (top/job_view.h, queue/job_text.h): the fields job show
// prints, wrapped to the width and scrolled within the height, the place among the reason's jobs,
// escaped control bytes, a job that is gone, the cap on very long jobs.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "queue/job_text.h"
#include "top/job_view.h"

using namespace opsctl;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

nlohmann::json job_doc(const std::string& data) {
  return {{"prefix", "bull"},       {"queue", "mail"},      {"id", "42"},
          {"name", "send"},         {"state", "failed"},    {"attempts_made", 3},
          {"attempts_started", 3},  {"timestamp", "2027-01-15T08:00:00.000Z"},
          {"processed_on", nullptr}, {"finished_on", nullptr}, {"delay", 0},
          {"priority", 0},          {"worker", nullptr},    {"lock_ttl_ms", nullptr},
          {"parent_key", nullptr},  {"failed_reason", "SMTP 421 try again later\nat send (mail.js:10)"},
          {"will_fail_reason", nullptr}, {"data", nlohmann::json::parse(data)}, {"opts", {{"attempts", 3}}},
          {"returnvalue", nullptr}, {"progress", 0},
          {"stacktrace", {"Error: SMTP 421\n    at send (mail.js:10)"}},
          {"logs", {"connecting", "refused"}}, {"log_count", 2}, {"problems", nlohmann::json::array()}};
}

top::JobPane pane(const std::string& data = R"({"to":"a@example.com"})") {
  top::JobPane p;
  p.queue = "mail";
  p.reason = "SMTP 421 try again later";
  p.ids = {"42", "41", "40"};
  p.doc = std::make_shared<const nlohmann::json>(job_doc(data));
  return p;
}

top::Snapshot snap() {
  top::Snapshot s;
  s.good_at_ms = s.tried_at_ms = kNow - 500;
  return s;
}

top::View view() {
  top::View v;
  v.target = "redis 127.0.0.1:6379 prefix bull";
  v.now_ms = kNow;
  return v;
}

bool has_line(const std::vector<top::Line>& lines, const std::string& start) {
  for (const auto& l : lines) {
    if (l.text.rfind(start, 0) == 0) return true;
  }
  return false;
}

}  // namespace

TEST_SUITE("top job view") {
  TEST_CASE("every job show field, the one-line summary coloured by state, its place among the reason's jobs") {
    const auto lines = top::job_frame(pane(), snap(), view(), 120, 40);
    REQUIRE(lines.size() == 40);
    CHECK(lines[0].text.find("[job 42 of mail]") != std::string::npos);
    bool summary = false;
    for (const auto& l : lines) {
      if (l.text == "job 42 send failed attempts 3: SMTP 421 try again later") {
        summary = true;
        CHECK(l.coloured);
        CHECK(l.level == Status::critical);
      }
    }
    CHECK(summary);
    CHECK(has_line(lines, "job 1 of 3 with reason \"SMTP 421 try again later\""));
    for (const char* field : {"Job:          bull:mail:42", "Name:         send", "State:        failed", "Attempts:     3 made, 3 started",
                              "Created:      2027-01-15T08:00:00.000Z", "Failed:       SMTP 421 try again later",
                              "Data:         {\"to\":\"a@example.com\"}", "Opts:         {\"attempts\":3}",
                              "Stacktrace (last attempt):", "Logs (2 lines, last 2 shown):", "  connecting"}) {
      CHECK_MESSAGE(has_line(lines, field), field);
    }
    CHECK(lines.back().text.rfind("Esc/j back", 0) == 0);
  }

  TEST_CASE("the same text as job show, without colour") {
    const auto doc = job_doc(R"({"n":1})");
    const std::string plain = queue::job_text(doc, false);
    CHECK(plain.find("\x1b[") == std::string::npos);
    CHECK(queue::job_text(doc, true).find("\x1b[") != std::string::npos);
    const auto body = top::job_body(pane(R"({"n":1})"), 200);
    std::string joined;
    for (const auto& l : body) joined += l + "\n";
    CHECK(joined == plain);
  }

  TEST_CASE("long lines wrap to the width on UTF-8 boundaries; the frame scrolls and stops at the end") {
    const std::string big = R"({"text":")" + std::string(300, 'x') + "\u00e9\u00e9\u00e9" + std::string(100, 'y') + R"("})";
    auto p = pane(big);
    const auto body = top::job_body(p, 80);
    for (const auto& l : body) CHECK(l.size() <= 80);  // bytes: the measure every frame cuts by
    std::string joined;
    for (const auto& l : body) joined += l;
    CHECK(joined.find("\u00e9\u00e9\u00e9") != std::string::npos);  // no sequence cut in two

    const auto max = top::job_scroll_max(p, snap(), view(), 80, 24);
    REQUIRE(max > 0);
    p.scroll = max + 50;  // past the end: shown as the end
    const auto end = top::job_frame(p, snap(), view(), 80, 24);
    CHECK(end.size() == 24);
    CHECK(end[end.size() - 2].text == body.back());
    p.scroll = 0;
    CHECK(top::job_frame(p, snap(), view(), 80, 24)[end.size() - 2].text != body.back());
    // Every body row reaches the screen whole, non-ASCII ones too (nothing cut to fit the width).
    const auto all = top::job_frame(p, snap(), view(), 80, 500);  // tall: every row, each cut to 80 bytes
    std::vector<std::string> shown;
    for (const auto& l : all) shown.push_back(l.text);
    for (const auto& row : body) CHECK(std::find(shown.begin(), shown.end(), row) != shown.end());
    for (std::size_t i = 0; i + 1 < all.size(); ++i) CHECK(all[i].text.find("\u2026") == std::string::npos);
    CHECK(top::job_scroll_max(p, snap(), view(), 80, 200) == 0);  // fits: nothing to scroll
  }

  TEST_CASE("control bytes in job fields are shown escaped, never sent raw") {
    auto p = pane(R"({"evil":"\u001b[2J\u0007"})");
    auto doc = *p.doc;
    doc.at("name") = "se\x1bnd";
    p.doc = std::make_shared<const nlohmann::json>(std::move(doc));
    for (const auto& l : top::job_frame(p, snap(), view(), 120, 40)) {
      for (unsigned char c : l.text) CHECK((c >= 0x20 || c == '\t') == true);
    }
    CHECK(queue::job_summary(*p.doc).find("se\\x1bnd") != std::string::npos);
  }

  TEST_CASE("loading, gone, a failed read, and the place of an older job") {
    auto p = pane();
    p.doc.reset();
    CHECK(has_line(top::job_frame(p, snap(), view(), 80, 24), "job 42: loading..."));
    p.gone = true;
    CHECK(has_line(top::job_frame(p, snap(), view(), 80, 24), "job 42 is gone from queue mail"));
    p.error = "redis 127.0.0.1:6379: connection refused";
    CHECK(has_line(top::job_frame(p, snap(), view(), 80, 24), "read failed: redis 127.0.0.1:6379: connection refused"));
    p = pane();
    p.index = 2;
    CHECK(has_line(top::job_frame(p, snap(), view(), 80, 24), "job 3 of 3 with reason"));
    CHECK(top::job_frame(p, snap(), view(), 80, 24)[0].text.find("[job 40 of mail]") != std::string::npos);
  }

  TEST_CASE("a very long job is capped, the last line saying how to see all of it") {
    std::string data = "[";
    for (int i = 0; i < 5000; ++i) data += (i ? "," : "") + std::string("\"") + std::string(150, 'a') + "\"";
    data += "]";
    const auto body = top::job_body(pane(data), 80, 100);
    REQUIRE(body.size() == 100);
    CHECK(body.back().rfind("... ", 0) == 0);
    CHECK(body.back().find("more lines: opsctl job show mail 42") != std::string::npos);
  }
}
