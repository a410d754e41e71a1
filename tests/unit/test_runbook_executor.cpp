// The executor against fake actions: the only thing faked is the side-effect edge (the actions and
// the clock); parsing, conditions, templates, dry runs, confirmation, polling and rollback are real.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "core/error.h"
#include "runbook/executor.h"
#include "runbook/parse.h"
#include "runbook/report.h"

using namespace opsctl;
using namespace opsctl::runbook;
using nlohmann::json;

namespace {

struct World {
  std::int64_t backlog = 80;
  bool paused = true;
  bool draining = false;
  std::int64_t drain_per_poll = 30;
  std::vector<std::string> log;
};

struct FakeContext : ActionContext {
  std::int64_t now = 1'700'000'000'000;
  opsctl::queue::QueueStore& queues() override { throw std::logic_error("no queues in unit tests"); }
  std::string prefix() override { return "bull"; }
  opsctl::redis::Target redis_target(const std::string&) override { return {}; }
  opsctl::pg::Connection& pg() override { throw std::logic_error("no PostgreSQL in unit tests"); }
  opsctl::pg::ConnectOptions pg_options(const std::string&) override { return {}; }
  std::chrono::milliseconds timeout() override { return std::chrono::seconds(5); }
  std::int64_t now_ms() override { return now; }
  void sleep_for(std::chrono::milliseconds d) override { now += d.count(); }
};

ActionRegistry fake_registry(World& w) {
  ActionRegistry r;
  using V = ValueType;
  r.add({"probe", "", Effect::reads, {}, {{"backlog", V::integer, ""}, {"paused", V::boolean, ""}},
         [&w](const Args&, ActionContext&, DryRun) {
           if (w.draining) w.backlog = std::max<std::int64_t>(0, w.backlog - w.drain_per_poll);
           ActionResult out;
           out.findings = {{"backlog", w.backlog}, {"paused", w.paused}};
           out.status = w.backlog >= 50 ? Status::critical : Status::ok;
           return out;
         }});
  r.add({"resume", "", Effect::changes, {}, {{"was_paused", V::boolean, ""}},
         [&w](const Args&, ActionContext&, DryRun dry) {
           ActionResult out;
           out.planned = w.paused ? 1 : 0;
           out.summary = "resume q";
           out.target = "q";
           out.findings = {{"was_paused", w.paused}};
           w.log.push_back(dry == DryRun::yes ? "resume (dry)" : "resume");
           if (dry == DryRun::no && w.paused) {
             w.paused = false;
             w.draining = true;
             out.changed = 1;
           }
           return out;
         }});
  r.add({"undo", "", Effect::changes, {{"what", V::string, true, ""}}, {},
         [&w](const Args& a, ActionContext&, DryRun dry) {
           ActionResult out;
           out.planned = 1;
           w.log.push_back(fmt::format("undo {}{}", a.str("what"), dry == DryRun::yes ? " (dry)" : ""));
           if (dry == DryRun::no) out.changed = 1;
           return out;
         }});
  r.add({"boom", "", Effect::changes, {}, {},
         [&w](const Args&, ActionContext&, DryRun dry) -> ActionResult {
           w.log.push_back(dry == DryRun::yes ? "boom (dry)" : "boom");
           if (dry == DryRun::no) throw critical_error("boom: the switch broke");
           ActionResult out;
           out.planned = 1;
           return out;
         }});
  return r;
}

const char* const kBacklog = R"(name: fake
severity: P2
comms: "{run.status} {run.outcome}: backlog {steps.diag.findings.backlog}, resume {steps.fix.status}"
params:
  - {name: timeout, type: duration, default: 10s}
steps:
  - id: diag
    kind: diagnose
    action: probe
    checks:
      - {when: findings.paused, status: warning, message: "paused with {findings.backlog} jobs"}
  - id: fix
    kind: fix
    action: resume
    when: steps.diag.findings.paused
  - id: drained
    kind: verify
    action: probe
    until: findings.backlog < steps.diag.findings.backlog
    timeout: "{params.timeout}"
    interval: 1s
)";

struct Harness {
  World world;
  FakeContext ctx;
  ActionRegistry registry = fake_registry(world);
  Hooks hooks;
  std::vector<std::string> audits;
  int confirms = 0;
  bool agree = true;

  Harness() {
    hooks.confirm = [this](const Step&, const StepReport& preview) {
      ++confirms;
      CHECK(preview.planned > 0);
      return agree ? Decision{true, ""} : Decision{false, "no TTY and no --yes"};
    };
    hooks.audit = [this](const StepReport& r, const std::string& result) { audits.push_back(r.id + ": " + result); };
  }

  RunReport run(const std::string& yaml, DryRun dry = DryRun::no, std::vector<std::pair<std::string, std::string>> params = {},
                std::optional<std::string> from = {}) {
    RunOptions o;
    o.params = std::move(params);
    o.dry_run = dry;
    o.from_step = std::move(from);
    return execute(parse_runbook(yaml, "fake.yaml"), registry, ctx, o, hooks);
  }
};

const StepReport& step(const RunReport& r, const std::string& id) {
  for (const auto& s : r.steps) {
    if (s.id == id) return s;
  }
  FAIL("no step " << id);
  return r.steps.front();
}

}  // namespace

TEST_SUITE("runbook.executor") {
  TEST_CASE("dry run: diagnoses run, fixes preview, verifies are skipped, nothing changes") {
    Harness h;
    RunReport r = h.run(kBacklog, DryRun::yes);
    CHECK(h.world.log == std::vector<std::string>{"resume (dry)"});
    CHECK(h.world.paused);
    CHECK(step(r, "diag").status == "critical");
    REQUIRE(step(r, "diag").messages.size() == 1);
    CHECK(step(r, "diag").messages[0].text == "paused with 80 jobs");
    CHECK(step(r, "fix").status == "dry-run");
    CHECK(step(r, "fix").changed == 0);
    CHECK(step(r, "drained").status == "skipped");
    CHECK(r.outcome == "dry-run");
    CHECK(r.status == Status::critical);
    CHECK(r.exit_code == 2);
    CHECK(h.confirms == 0);
    CHECK(h.audits == std::vector<std::string>{"fix: dry-run"});
    CHECK(r.comms == "critical dry-run: backlog 80, resume dry-run");
  }

  TEST_CASE("a real run asks, fixes, polls until the condition holds and exits 0") {
    Harness h;
    RunReport r = h.run(kBacklog);
    CHECK(h.confirms == 1);
    CHECK(h.world.log == std::vector<std::string>{"resume (dry)", "resume"});
    CHECK(step(r, "fix").status == "done");
    CHECK(step(r, "fix").changed == 1);
    CHECK(step(r, "drained").status == "passed");
    CHECK(step(r, "drained").attempts == 1);
    CHECK(r.outcome == "verified");
    CHECK(r.exit_code == 0);
    CHECK(h.audits == std::vector<std::string>{"fix: ok"});
  }

  TEST_CASE("refused confirmation: nothing changes, the rest does not run, exit 4") {
    Harness h;
    h.agree = false;
    RunReport r = h.run(kBacklog);
    CHECK(h.world.log == std::vector<std::string>{"resume (dry)"});
    CHECK(step(r, "fix").status == "refused");
    CHECK(step(r, "drained").status == "not-run");
    CHECK(r.outcome == "refused");
    CHECK(r.exit_code == 4);
    CHECK(r.refusal == "step fix: no TTY and no --yes");
    CHECK(h.audits == std::vector<std::string>{"fix: refused: no TTY and no --yes"});
  }

  TEST_CASE("nothing wrong: the fix is skipped, the verify passes at once") {
    Harness h;
    h.world.paused = false;
    h.world.backlog = 3;
    h.world.drain_per_poll = 0;
    RunReport r = h.run(std::string(kBacklog) + "    when: steps.diag.findings.backlog >= 50\n");
    CHECK(step(r, "fix").status == "skipped");
    CHECK(step(r, "fix").note == "when: steps.diag.findings.paused is false");
    CHECK(step(r, "drained").status == "skipped");
    CHECK(r.outcome == "nothing-to-do");
    CHECK(r.exit_code == 0);
    CHECK(h.confirms == 0);
  }

  TEST_CASE("verify polls on the fake clock and fails at its timeout") {
    Harness h;
    h.world.drain_per_poll = 0;  // resumed, but nothing drains (no workers)
    std::int64_t start = h.ctx.now;
    RunReport r = h.run(kBacklog, DryRun::no, {{"timeout", "5s"}});
    const StepReport& v = step(r, "drained");
    CHECK(v.status == "failed");
    CHECK(v.attempts == 6);  // at 0, 1, 2, 3, 4 and 5 s
    CHECK(h.ctx.now - start == 5000);
    CHECK(v.error == "until: findings.backlog < steps.diag.findings.backlog still false after 5s (6 checks)");
    CHECK(r.outcome == "failed");
    CHECK(r.exit_code == 2);
  }

  TEST_CASE("on_failure rollback undoes the fixes done, newest first") {
    Harness h;
    RunReport r = h.run(R"(name: rb
steps:
  - {id: d, kind: diagnose, action: probe}
  - id: one
    kind: fix
    action: undo
    with: {what: "a"}
    rollback: {action: undo, with: {what: "back-a"}}
  - id: two
    kind: fix
    action: undo
    with: {what: "b"}
    rollback: {action: undo, with: {what: "back-b"}}
  - id: three
    kind: fix
    action: boom
    on_failure: rollback
  - {id: after, kind: fix, action: undo, with: {what: "never"}}
)");
    CHECK(h.world.log == std::vector<std::string>{"undo a (dry)", "undo a", "undo b (dry)", "undo b", "boom (dry)", "boom",
                                                  "undo back-b", "undo back-a"});
    CHECK(step(r, "three").status == "failed");
    CHECK(step(r, "three").error == "boom: the switch broke");
    CHECK(step(r, "two.rollback").rollback_of == "two");
    CHECK(step(r, "one.rollback").status == "done");
    CHECK(step(r, "after").status == "not-run");
    CHECK(r.outcome == "rolled-back");
    CHECK(r.exit_code == 2);
    CHECK(h.audits == std::vector<std::string>{"one: ok", "two: ok", "three: failed: boom: the switch broke",
                                               "two.rollback: ok", "one.rollback: ok"});
  }

  TEST_CASE("on_failure continue goes on; stop (the default) ends the run") {
    for (std::string mode : {"continue", "stop"}) {
      CAPTURE(mode);
      Harness h;
      RunReport r = h.run("name: c\nsteps:\n  - {id: b, kind: fix, action: boom, on_failure: " + mode +
                          "}\n  - {id: next, kind: fix, action: undo, with: {what: x}}\n");
      CHECK(step(r, "next").status == (mode == "continue" ? "done" : "not-run"));
      CHECK(r.outcome == "failed");
      CHECK(r.exit_code == 2);
    }
  }

  TEST_CASE("a reference to a skipped step's finding fails that step with a clear error") {
    Harness h;
    RunReport r = h.run(R"(name: s
steps:
  - {id: d, kind: diagnose, action: probe, when: "false"}
  - {id: u, kind: fix, action: undo, with: {what: "{steps.d.findings.backlog}"}}
)");
    CHECK(step(r, "d").status == "skipped");
    CHECK(step(r, "u").status == "failed");
    CHECK(step(r, "u").error == "{steps.d.findings.backlog} has no value: step d has no such value (was it skipped?)");
    CHECK(h.world.log.empty());
  }

  TEST_CASE("--from-step skips earlier fixes and verifies but still diagnoses") {
    Harness h;
    RunReport r = h.run(kBacklog, DryRun::no, {}, "drained");
    CHECK(step(r, "diag").status == "critical");
    CHECK(step(r, "fix").status == "skipped");
    CHECK(step(r, "fix").note == "before --from-step drained");
    CHECK(h.world.log.empty());
    CHECK_THROWS_WITH_AS(h.run(kBacklog, DryRun::no, {}, "drain"), doctest::Contains("did you mean 'drained'"), Error);
  }

  TEST_CASE("a condition comparing incompatible values fails the step instead of guessing") {
    Harness h;
    RunReport r = h.run(R"(name: e
steps:
  - {id: d, kind: diagnose, action: probe}
  - {id: u, kind: fix, action: undo, with: {what: x}, when: "steps.d.findings.paused == 'yes'"}
)");
    CHECK(step(r, "u").status == "failed");
    CHECK(step(r, "u").error.find("cannot compare") != std::string::npos);
    CHECK(h.world.log.empty());
  }

  TEST_CASE("the JSON report has the fixed fields and findings as name/value pairs") {
    Harness h;
    json j = to_json(h.run(kBacklog, DryRun::yes));
    CHECK(j["runbook"] == "fake");
    CHECK(j["status"] == "critical");
    REQUIRE(j["steps"].size() == 3);
    const json& d = j["steps"][0];
    CHECK(d["id"] == "diag");
    CHECK(d["kind"] == "diagnose");
    CHECK(d["status"] == "critical");
    CHECK(d["changed"] == 0);
    CHECK(d["findings"][0] == json{{"name", "backlog"}, {"value", 80}});
    CHECK(d["findings"][1] == json{{"name", "paused"}, {"value", true}});
    CHECK(j["steps"][1]["kind"] == "fix");
    CHECK(j["steps"][2]["kind"] == "verify");
    std::string md = transcript_markdown(h.run(kBacklog, DryRun::yes), {"alice", "host1", "prod", "opsctl runbook run"});
    CHECK(md.find("# Runbook fake: CRITICAL (dry-run)") == 0);
    CHECK(md.find("| Operator | alice@host1 |") != std::string::npos);
    CHECK(md.find("## Comms\n\ncritical dry-run: backlog 80, resume dry-run") != std::string::npos);
    CHECK(md.find("**warning**: paused with 80 jobs") != std::string::npos);
  }

  TEST_CASE("the transcript shows a program's output as an indented block, secrets redacted") {
    RunReport r;
    r.runbook = "x";
    StepReport s;
    s.id = "switch";
    s.kind = StepKind::fix;
    s.action = "exec";
    s.status = "done";
    s.findings = {{"ran", true}, {"stdout", "line one\nline two redis://u:secret@h\n"}, {"stderr", ""}};
    r.steps.push_back(s);
    std::string md = transcript_markdown(r, {"u", "h", "", "opsctl"});
    CHECK(md.find("  - stdout:\n\n    ```\n    line one\n    line two redis://u:***@h\n    ```\n") != std::string::npos);
    CHECK(md.find("stderr") == std::string::npos);
    CHECK(md.find("secret") == std::string::npos);
  }
}
