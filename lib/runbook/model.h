#pragma once
// A runbook as loaded from YAML (format: opsctl-runbook(5)). Every element keeps the 1-based line
// it came from, so lint and run report "<file>:<line>: ..." like a compiler.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "runbook/expr.h"

namespace opsctl::runbook {

enum class ParamType { string, integer, duration, url, path, command };
std::string_view to_string(ParamType t);  // "string", "int", "duration", "url", "path", "command"

struct Param {
  std::string name;
  ParamType type = ParamType::string;
  bool required = false;
  std::optional<std::string> default_text;
  std::vector<std::string> choices;  // empty: any value of the type
  std::string help;
  int line = 0;
};

enum class StepKind { diagnose, fix, verify };
std::string_view to_string(StepKind k);

enum class OnFailure { stop, proceed, rollback };  // proceed is spelled "continue"
std::string_view to_string(OnFailure f);

struct Condition {
  Expr expr;
  int line = 0;
};

// A diagnosis rule of a step: when the condition holds, the step's status rises to `status` and the
// message (a template) goes into the report and the transcript.
struct Check {
  Condition when;
  Status status = Status::ok;
  std::string message;
  int line = 0;
};

// An action and its `with:` arguments. Strings in `with` are templates; YAML plain scalars that
// read as numbers or booleans are numbers and booleans.
struct ActionCall {
  std::string action;
  int action_line = 0;
  nlohmann::json with = nlohmann::json::object();
  std::vector<std::pair<std::string, int>> with_lines;  // argument name -> line
  int line = 0;

  int line_of(const std::string& arg) const;
};

// retry: {times, delay}: an action that fails is run again, up to `times` more times.
struct Retry {
  int times = 0;
  std::string delay = "1s";  // a duration or a template of one
  int line = 0;
};

struct Step {
  std::string id;
  std::string title;  // optional human name; the id when empty
  StepKind kind = StepKind::diagnose;
  ActionCall call;
  std::optional<Condition> when;
  std::optional<Condition> until;     // verify only
  std::optional<std::string> timeout;  // verify: poll deadline (a template of a duration)
  std::optional<std::string> interval; // verify: time between polls
  int timeout_line = 0, interval_line = 0;
  OnFailure on_failure = OnFailure::stop;
  std::vector<Check> checks;
  std::optional<ActionCall> rollback;  // fix only: undoes this step when a later step fails
  std::optional<Retry> retry;
  bool parallel = false;  // diagnose only: runs at the same time as the neighbouring parallel diagnoses
  int line = 0;
};

// Runbook-level notifications: the `notify` action's channel (url_env/url_file, shape, timeout,
// retries) and the events that send one.
struct NotifySpec {
  ActionCall channel;  // action "notify", with: the channel's arguments
  bool on_start = false;
  bool on_end = false;
  std::optional<Status> on_finding;  // each finding at this level or worse
  int line = 0;
};

struct Runbook {
  std::string name;
  std::string description;
  std::string severity;  // P0..P3
  std::string comms;     // incident notes template, filled in the transcript
  int comms_line = 0;
  std::vector<Param> params;
  std::vector<Step> steps;
  std::optional<NotifySpec> notify;
  std::string source;    // file path, or "built-in:<name>.yaml"

  const Param* param(const std::string& name) const;
  const Step* step(const std::string& id) const;
};

}  // namespace opsctl::runbook
