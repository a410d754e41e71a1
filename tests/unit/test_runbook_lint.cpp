#include <doctest/doctest.h>

#include "runbook/lint.h"
#include "runbook/parse.h"

using namespace opsctl::runbook;

namespace {

// Every diagnostic of a runbook whose steps are `steps` (YAML, indented by two), formatted.
std::vector<std::string> lint_steps(const std::string& steps, const std::string& extra = "") {
  std::string text = "name: t\nparams:\n  - {name: queue, type: string, required: true}\n"
                     "  - {name: wait_for, type: duration, default: 10s}\n" +
                     extra + "steps:\n" + steps;
  Runbook rb = parse_runbook(text, "t.yaml");
  std::vector<std::string> out;
  for (const auto& d : lint(rb, builtin_actions())) out.push_back(format_diagnostic(rb, d));
  return out;
}

bool has(const std::vector<std::string>& ds, const std::string& needle) {
  for (const auto& d : ds) {
    if (d.find(needle) != std::string::npos) return true;
  }
  return false;
}

const std::string kCounts =
    "  - id: counts\n    kind: diagnose\n    action: queue.inspect\n    with: {queue: \"{params.queue}\"}\n";

}  // namespace

TEST_SUITE("runbook.lint") {
  TEST_CASE("a clean runbook has no diagnostics") {
    auto ds = lint_steps(kCounts + "  - id: w\n    kind: verify\n    action: queue.inspect\n"
                                   "    with: {queue: \"{params.queue}\"}\n    until: findings.ready < steps.counts.findings.ready\n"
                                   "    timeout: \"{params.wait_for}\"\n");
    CHECK(ds.empty());
  }

  TEST_CASE("unknown action, with a suggestion, at its line") {
    auto ds = lint_steps("  - id: a\n    kind: diagnose\n    action: queue.inspct\n    with: {queue: q}\n");
    CHECK(has(ds, "t.yaml:8: error: step a: unknown action 'queue.inspct' (did you mean 'queue.inspect'?)"));
  }

  TEST_CASE("unknown and missing arguments, wrong literal types") {
    auto ds = lint_steps("  - id: a\n    kind: diagnose\n    action: queue.inspect\n"
                         "    with:\n      queu: \"{params.queue}\"\n      crit_wait: lots\n");
    CHECK(has(ds, "t.yaml:10: error: action queue.inspect has no argument 'queu' (did you mean 'queue'?)"));
    CHECK(has(ds, "t.yaml:11: error: argument crit_wait of queue.inspect must be an integer, not \"lots\""));
    CHECK(has(ds, "t.yaml:8: error: step a: action queue.inspect needs argument queue"));
  }

  TEST_CASE("unknown parameters, steps and findings") {
    auto ds = lint_steps(kCounts +
                         "  - id: b\n    kind: fix\n    action: queue.resume\n    with: {queue: \"{params.queu}\"}\n"
                         "    when: steps.count.findings.paused\n"
                         "  - id: c\n    kind: fix\n    action: queue.resume\n    with: {queue: \"{params.queue}\"}\n"
                         "    when: steps.counts.findings.pausd\n");
    CHECK(has(ds, "t.yaml:13: error: unknown parameter 'queu' (did you mean 'queue'?)"));
    CHECK(has(ds, "t.yaml:14: error: unknown step 'count' (did you mean 'counts'?)"));
    CHECK(has(ds, "t.yaml:19: error: 'steps.counts.findings.pausd': action queue.inspect has no finding 'pausd' "
                  "(did you mean 'paused'?)"));
  }

  TEST_CASE("only earlier steps can be read; bare findings only in until and checks") {
    auto ds = lint_steps("  - id: a\n    kind: diagnose\n    action: queue.inspect\n    with: {queue: \"{params.queue}\"}\n"
                         "    checks:\n      - {when: steps.b.findings.paused, status: warning, message: x}\n" + kCounts +
                         "  - id: b\n    kind: fix\n    action: queue.resume\n    with: {queue: \"{params.queue}\"}\n"
                         "    when: findings.paused\n");
    CHECK(has(ds, "step 'b' does not run before this point"));
    CHECK(has(ds, "bare findings.<name> is for until: and checks"));
  }

  TEST_CASE("bad conditions: type mismatches, ordering booleans, unknown statuses") {
    auto ds = lint_steps(kCounts +
                         "  - id: b\n    kind: fix\n    action: queue.resume\n    with: {queue: \"{params.queue}\"}\n"
                         "    when: steps.counts.findings.paused == 'yes'\n"
                         "  - id: c\n    kind: fix\n    action: queue.resume\n    with: {queue: \"{params.queue}\"}\n"
                         "    when: steps.counts.findings.paused > false\n"
                         "  - id: d\n    kind: fix\n    action: queue.resume\n    with: {queue: \"{params.queue}\"}\n"
                         "    when: steps.b.status == 'succeeded'\n"
                         "  - id: e\n    kind: fix\n    action: queue.resume\n    with: {queue: \"{params.queue}\"}\n"
                         "    when: steps.counts.findings.waiting > params.wait_for and params.queue == 3\n");
    CHECK(has(ds, "t.yaml:14: error: 'steps.counts.findings.paused == 'yes'' compares a bool with a string"));
    CHECK(has(ds, "t.yaml:19: error: 'steps.counts.findings.paused > false': '>' orders numbers or strings, not a bool"));
    CHECK(has(ds, "t.yaml:24: error: 'steps.b.status == 'succeeded'': no step ever has status \"succeeded\""));
    CHECK(has(ds, "t.yaml:29: error:"));
    CHECK(has(ds, "compares a string with a number"));
  }

  TEST_CASE("warnings: a fix that changes nothing, a verify without until, unused parameters") {
    auto ds = lint_steps("  - id: w\n    kind: fix\n    action: wait\n    with: {duration: 1s}\n"
                         "  - id: v\n    kind: verify\n    action: job.unstick\n    with: {queue: q}\n");
    CHECK(has(ds, "warning: step w is a fix but wait changes nothing"));
    CHECK(has(ds, "warning: verify step v has no until"));
    CHECK(has(ds, "t.yaml:3: warning: parameter queue is never used"));
    CHECK_FALSE(has(ds, "error"));
  }

  TEST_CASE("timeouts must come from duration parameters; comms may read run and runbook") {
    auto ds = lint_steps(kCounts + "  - id: v\n    kind: verify\n    action: queue.inspect\n"
                                   "    with: {queue: \"{params.queue}\"}\n    until: findings.ready == 0\n"
                                   "    timeout: \"{params.queue}\"\n",
                         "comms: \"{run.status} {runbook.name} {run.colour} {steps.v.findings.ready}\"\n");
    CHECK(has(ds, "parameter queue is a string, not a duration"));
    CHECK(has(ds, "t.yaml:5: error: 'run.colour': run has"));
    CHECK_FALSE(has(ds, "runbook.name"));
  }

  TEST_CASE("a rollback may read its own step; exec needs a command") {
    auto ds = lint_steps("  - id: s\n    kind: fix\n    action: file.write\n    with: {path: /tmp/x, content: \"{params.queue}\"}\n"
                         "    rollback:\n      action: file.write\n      with: {path: /tmp/x, content: \"{steps.s.findings.previous}\"}\n"
                         "  - id: e\n    kind: fix\n    action: exec\n    with: {command: \"ls -l\"}\n"
                         "  - id: v\n    kind: verify\n    action: wait\n    with: {duration: 1s}\n    on_failure: rollback\n");
    CHECK_FALSE(has(ds, "steps.s"));
    CHECK(has(ds, "argument command of exec must be a list of words or a command parameter"));
  }
}
