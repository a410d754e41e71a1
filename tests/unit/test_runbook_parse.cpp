#include <doctest/doctest.h>

#include "core/error.h"
#include "runbook/catalog.h"
#include "runbook/lint.h"
#include "runbook/parse.h"

using namespace opsctl;
using namespace opsctl::runbook;

namespace {

// The config_error message of parsing text, or "" when it parses.
std::string parse_error(const std::string& text) {
  try {
    (void)parse_runbook(text, "rb.yaml");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::config);
    return e.what();
  }
  return "";
}

const char* const kGood = R"(# comment
name: demo
description: a demo
severity: P2
comms: "status {run.status} for {params.queue}"
params:
  - name: queue
    type: string
    required: true
    help: the queue
  - name: timeout
    type: duration
    default: 30s
steps:
  - id: counts
    title: Counts
    kind: diagnose
    action: queue.inspect
    with:
      queue: "{params.queue}"
      crit_wait: 50
    checks:
      - when: findings.workers == 0
        status: critical
        message: no workers
  - id: resume
    kind: fix
    action: queue.resume
    when: steps.counts.findings.paused
    with: {queue: "{params.queue}"}
    on_failure: continue
  - id: drained
    kind: verify
    action: queue.inspect
    with: {queue: "{params.queue}"}
    until: findings.ready == 0
    timeout: "{params.timeout}"
    interval: 500ms
)";

}  // namespace

TEST_SUITE("runbook.parse") {
  TEST_CASE("a valid runbook loads with lines for every element") {
    Runbook rb = parse_runbook(kGood, "rb.yaml");
    CHECK(rb.name == "demo");
    CHECK(rb.severity == "P2");
    CHECK(rb.source == "rb.yaml");
    CHECK(rb.comms_line == 5);
    REQUIRE(rb.params.size() == 2);
    CHECK(rb.params[0].required);
    CHECK(rb.params[0].line == 7);
    CHECK(rb.params[1].type == ParamType::duration);
    CHECK(rb.params[1].default_text == "30s");
    REQUIRE(rb.steps.size() == 3);
    const Step& c = rb.steps[0];
    CHECK(c.line == 15);
    CHECK(c.title == "Counts");
    CHECK(c.call.action_line == 18);
    CHECK(c.call.with["crit_wait"] == 50);  // a plain number is a number
    CHECK(c.call.with["queue"] == "{params.queue}");
    CHECK(c.call.line_of("crit_wait") == 21);
    REQUIRE(c.checks.size() == 1);
    CHECK(c.checks[0].status == Status::critical);
    CHECK(c.checks[0].line == 23);
    CHECK(rb.steps[1].on_failure == OnFailure::proceed);
    CHECK(rb.steps[1].when->line == 29);
    CHECK(rb.steps[2].until->expr.text() == "findings.ready == 0");
    CHECK(rb.steps[2].on_failure == OnFailure::stop);
    CHECK(lint(rb, builtin_actions()).empty());
  }

  TEST_CASE("bad YAML names the line") {
    std::string e = parse_error("name: x\nsteps:\n  - id: a\n    kind: [diagnose\n");
    CHECK(e.find("rb.yaml:") == 0);
    CHECK(e.find("invalid YAML") != std::string::npos);
    CHECK(parse_error("name: x\n  bad: indent\n").find("rb.yaml:2:") == 0);
  }

  TEST_CASE("structure errors name the line and what is wrong") {
    CHECK(parse_error("- a\n") == "rb.yaml:1: a runbook is a map with name, description, severity, comms, params and steps");
    CHECK(parse_error("name: x\nstep: []\n").find("rb.yaml:2: unknown key \"step\"") == 0);
    CHECK(parse_error("name: x\nseverity: high\nsteps: []\n") == "rb.yaml:2: severity must be P0, P1, P2 or P3");
    CHECK(parse_error("name: x\nsteps: []\n") == "rb.yaml:2: steps must be a non-empty list");
    CHECK(parse_error("description: y\nsteps:\n  - {id: a, kind: diagnose, action: wait}\n") == "rb.yaml:1: a runbook needs a name");
    CHECK(parse_error("name: x\nsteps:\n  - {id: a, kind: repair, action: wait}\n")
              .find("rb.yaml:3: kind \"repair\" is not one of diagnose, fix, verify") == 0);
    CHECK(parse_error("name: x\nsteps:\n  - {id: a, kind: fix, action: wait}\n  - {id: a, kind: fix, action: wait}\n") ==
          "rb.yaml:4: step id a used twice (first at line 3)");
    CHECK(parse_error("name: x\nsteps:\n  - {id: a, kind: fix, action: wait, until: 'true'}\n") ==
          "rb.yaml:3: until is for verify steps; step a is fix");
    CHECK(parse_error("name: x\nsteps:\n  - id: a\n    kind: verify\n    action: wait\n    rollback: {action: wait}\n") ==
          "rb.yaml:6: rollback is for fix steps; step a is verify");
    CHECK(parse_error("name: x\nsteps:\n  - {id: a, kind: fix, action: wait, on_failure: retry}\n")
              .find("on_failure \"retry\" is not one of stop, continue, rollback") != std::string::npos);
    CHECK(parse_error("name: x\nsteps:\n  - {kind: fix, action: wait}\n") == "rb.yaml:3: a step needs an id");
    CHECK(parse_error("name: x\nsteps:\n  - {id: 'a b', kind: fix, action: wait}\n").find("use letters") != std::string::npos);
    CHECK(parse_error("name: x\nsteps:\n  - {id: a, kind: verify, action: wait, timeout: soon}\n").find("rb.yaml:3: timeout:") == 0);
  }

  TEST_CASE("parameter errors") {
    auto with_param = [](const std::string& p) {
      return parse_error("name: x\nparams:\n  - " + p + "\nsteps:\n  - {id: a, kind: diagnose, action: wait}\n");
    };
    CHECK(with_param("{name: q, type: bool}").find("rb.yaml:3: type \"bool\" is not one of") == 0);
    CHECK(with_param("{name: q, type: int, default: ten}") == "rb.yaml:3: default: parameter q: 'ten' is not an integer");
    CHECK(with_param("{name: q, required: true, default: x}").find("is required and has a default") != std::string::npos);
    CHECK(with_param("{type: string}") == "rb.yaml:3: a parameter needs a name");
    CHECK(with_param("{name: q, colour: red}").find("unknown key \"colour\" in a parameter") != std::string::npos);
    CHECK(parse_error("name: x\nparams:\n  - {name: q}\n  - {name: q}\nsteps:\n  - {id: a, kind: diagnose, action: wait}\n") ==
          "rb.yaml:4: parameter q defined twice (first at line 3)");
  }

  TEST_CASE("a malformed condition or placeholder names the line and the column") {
    CHECK(parse_error("name: x\nsteps:\n  - id: a\n    kind: fix\n    action: wait\n    when: steps.a.status = 'ok'\n") ==
          "rb.yaml:6: when: '=' is not an operator: use '==' to compare at column 16 of 'steps.a.status = 'ok''");
    CHECK(parse_error("name: x\nsteps:\n  - id: a\n    kind: fix\n    action: wait\n    with:\n      d: \"{params.x\"\n")
              .find("rb.yaml:7: with.d: unclosed placeholder") == 0);
    CHECK(parse_error("name: x\ncomms: \"a } b\"\nsteps:\n  - {id: a, kind: diagnose, action: wait}\n")
              .find("rb.yaml:2: comms: a lone '}'") == 0);
  }

  TEST_CASE("the built-in runbooks load and lint clean") {
    auto files = builtin_runbooks();
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"backlog", "failed-jobs", "job-table", "pool-exhaustion", "rollback", "scheduler", "stale-cache", "stuck-job"});
    for (const auto& f : files) {
      CAPTURE(f.name);
      Runbook rb = parse_runbook(f.text, f.source);
      CHECK(rb.name == f.name);
      CHECK(!rb.description.empty());
      CHECK(!rb.comms.empty());
      for (const auto& d : lint(rb, builtin_actions())) FAIL_CHECK(format_diagnostic(rb, d));
    }
  }
}
