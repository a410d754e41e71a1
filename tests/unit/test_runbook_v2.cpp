// Runbooks 2.0 keys and records: retry, parallel, top-level notify, approve steps (parse and lint),
// and the run history (records, folding, resume rules, redaction).
#include <doctest/doctest.h>

#include "core/error.h"
#include "runbook/history.h"
#include "runbook/lint.h"
#include "runbook/parse.h"
#include "runbook/report.h"

using namespace opsctl;
using namespace opsctl::runbook;
using nlohmann::json;

namespace {

const std::string kHead = "name: t\nseverity: P3\nparams:\n  - {name: queue, type: string, required: true}\n";

std::string parse_error(const std::string& text) {
  try {
    (void)parse_runbook(text, "t.yaml");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::config);
    return e.what();
  }
  return "";
}

std::vector<std::string> diagnostics(const std::string& text) {
  Runbook rb = parse_runbook(text, "t.yaml");
  std::vector<std::string> out;
  for (const auto& d : lint(rb, builtin_actions())) out.push_back(format_diagnostic(rb, d));
  return out;
}

const std::string kInspect = "    action: queue.inspect\n    with: {queue: \"{params.queue}\"}\n";

}  // namespace

TEST_SUITE("runbook.v2") {
  TEST_CASE("retry, parallel and notify parse") {
    Runbook rb = parse_runbook(kHead +
                                   "notify: {url_env: HOOK, shape: slack, on_start: true, on_finding: critical, "
                                   "on_end: true, retries: 1}\n"
                                   "steps:\n  - id: a\n    kind: diagnose\n    parallel: true\n    retry: {times: 2, "
                                   "delay: 5s}\n" +
                                   kInspect,
                               "t.yaml");
    REQUIRE(rb.notify);
    CHECK(rb.notify->on_start);
    CHECK(rb.notify->on_end);
    CHECK(rb.notify->on_finding == Status::critical);
    CHECK(rb.notify->channel.action == "notify");
    CHECK(rb.notify->channel.with == json{{"url_env", "HOOK"}, {"shape", "slack"}, {"retries", 1}});
    REQUIRE(rb.steps[0].retry);
    CHECK(rb.steps[0].retry->times == 2);
    CHECK(rb.steps[0].retry->delay == "5s");
    CHECK(rb.steps[0].parallel);
    CHECK(diagnostics(kHead + "steps:\n  - id: a\n    kind: diagnose\n    retry: {times: 1}\n" + kInspect).empty());
  }

  TEST_CASE("the new keys' errors name the line") {
    CHECK(parse_error(kHead + "steps:\n  - id: a\n    kind: fix\n    parallel: true\n" + kInspect) ==
          "t.yaml:8: parallel is for diagnose steps; step a is fix");
    CHECK(parse_error(kHead + "steps:\n  - id: a\n    kind: diagnose\n    retry: {times: 11}\n" + kInspect) ==
          "t.yaml:8: retry.times must be an integer from 1 to 10");
    CHECK(parse_error(kHead + "steps:\n  - id: a\n    kind: diagnose\n    retry: {delay: 1s}\n" + kInspect) ==
          "t.yaml:8: retry needs times");
    CHECK(parse_error(kHead + "steps:\n  - id: a\n    kind: diagnose\n    retry: {times: 1, pause: 1s}\n" + kInspect) ==
          "t.yaml:8: unknown key \"pause\" in retry (allowed: times, delay)");
    CHECK(parse_error(kHead + "steps:\n  - id: a\n    kind: diagnose\n    retry: {times: 1, delay: soon}\n" + kInspect)
              .rfind("t.yaml:8: retry.delay: ", 0) == 0);
    CHECK(parse_error(kHead + "notify: {shape: slack}\nsteps:\n  - id: a\n    kind: diagnose\n" + kInspect) ==
          "t.yaml:5: notify needs url_env or url_file (the webhook URL is a secret: never in the runbook)");
    CHECK(parse_error(kHead + "notify: {url_env: H, on_finding: ok}\nsteps:\n  - id: a\n    kind: diagnose\n" +
                      kInspect) == "t.yaml:5: on_finding \"ok\" is not one of warning, unknown, critical");
    CHECK(parse_error(kHead + "notify: {url: http://x}\nsteps:\n  - id: a\n    kind: diagnose\n" + kInspect)
              .find("unknown key \"url\" in notify (allowed: url_env, url_file, shape, timeout, retries, on_start, "
                    "on_finding, on_end)") != std::string::npos);
  }

  TEST_CASE("lint: notify arguments, approve and notify fix steps, retry delays") {
    CHECK(parse_error(kHead + "notify: {url_env: H, text: hi}\nsteps:\n  - id: a\n    kind: diagnose\n" + kInspect)
              .find("unknown key \"text\" in notify") != std::string::npos);  // the run sets text, event, level
    auto ds = diagnostics(kHead + "notify: {url_env: H, retries: many}\nsteps:\n  - id: a\n    kind: diagnose\n" + kInspect);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].find("argument retries of notify must be an integer") != std::string::npos);
    ds = diagnostics(kHead + "steps:\n  - id: a\n    kind: diagnose\n" + kInspect +
                     "  - id: ok\n    kind: fix\n    action: approve\n    with: {message: \"{steps.a.summary}\"}\n"
                     "  - id: tell\n    kind: fix\n    action: notify\n    with: {url_env: H, text: done}\n");
    REQUIRE(ds.size() == 1);  // approve and notify are fixes that change nothing, and say so in no warning
    CHECK(ds[0] == "t.yaml:1: warning: the runbook fixes but never verifies: add a verify step");
    ds = diagnostics(kHead + "steps:\n  - id: a\n    kind: diagnose\n    retry: {times: 1, delay: \"{params.queue}\"}\n" +
                     kInspect);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].find("parameter queue is a string, not a duration") != std::string::npos);
  }

  TEST_CASE("history: records fold into runs; completed steps and resume rules") {
    history::Start start{"r1", "backlog", "built-in:backlog.yaml", "prod", "ann", "h1",
                         {{"queue", "emails"}, {"url", "redis://:s3cret@db:6379"}}, {"a", "b", "c"}, false, false};
    json s = history::start_record(start, 0);
    CHECK(s["type"] == "start");
    CHECK(s["params"]["url"] == "redis://:***@db:6379");
    StepReport a;
    a.id = "a";
    a.kind = StepKind::diagnose;
    a.status = "warning";
    a.verdict = Status::warning;
    a.findings = {{"failed", 3}};
    a.finding_order = {"failed"};
    a.messages.push_back({Status::warning, "3 failed"});
    StepReport b;
    b.id = "b";
    b.kind = StepKind::fix;
    b.status = "done";
    b.changed = 3;
    std::vector<json> recs{s, history::step_record("r1", a, 1), history::step_record("r1", b, 2),
                           json{{"type", "step"}, {"run_id", "other"}}};
    auto runs = history::fold(recs);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].outcome == "interrupted");
    CHECK(history::resumable(runs[0]));
    CHECK(runs[0].step_order == std::vector<std::string>{"a", "b"});
    StepReport back = history::step_from_json(runs[0].steps.at("a"));
    CHECK(back.status == "warning");
    CHECK(back.verdict == Status::warning);
    CHECK(back.findings == json{{"failed", 3}});
    CHECK(back.messages.size() == 1);
    CHECK(history::step_from_json(runs[0].steps.at("b")).changed == 3);

    RunReport end;
    end.run_id = "r1";
    end.outcome = "verified";
    end.exit_code = 0;
    recs.push_back(history::end_record(end, 3));
    runs = history::fold(recs);
    CHECK(runs[0].outcome == "verified");
    CHECK_FALSE(history::resumable(runs[0]));
    recs.push_back({{"type", "resume"}, {"run_id", "r1"}});
    CHECK(history::fold(recs)[0].resumes == 1);

    for (const char* st : {"done", "ok", "skipped", "nothing-to-do", "approved", "passed", "critical"}) {
      CHECK(history::completed(st));
    }
    for (const char* st : {"failed", "refused", "awaiting-approval", "not-run"}) CHECK_FALSE(history::completed(st));
    CHECK(history::new_run_id(0) .rfind("19700101-000000-", 0) == 0);
  }
}
