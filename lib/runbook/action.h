#pragma once
// The actions a runbook step calls (opsctl-runbook(5) lists them with their arguments and findings).
// An action takes its rendered `with:` arguments, the context (clients, clock) and a DryRun, and
// returns findings (a JSON object other steps read), a verdict, and what it changed. Actions that
// change things honour DryRun::yes exactly as the matching opsctl command's --dry-run does.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/status.h"
#include "mutation/result.h"
#include "redis/client.h"
#include "runbook/action_context.h"

namespace opsctl::runbook {

using mutation::DryRun;

enum class ValueType { any, string, integer, number, boolean, list, object, duration, command };
std::string_view to_string(ValueType t);

struct ArgSpec {
  std::string name;
  ValueType type = ValueType::string;
  bool required = false;
  std::string help;
};

struct FindingSpec {
  std::string name;
  ValueType type = ValueType::any;
  std::string help;
};

// reads: runs in every kind of step. changes: a fix step asks before running it; a diagnose or
// verify step may call it too, and then always runs its dry run (a preview changes nothing).
// program (exec): a fix step asks before running it; a diagnose or verify step runs it, so a
// runbook can read state with a program (the runbook's author decides what it does).
enum class Effect { reads, changes, program };

struct ActionResult {
  nlohmann::json findings = nlohmann::json::object();
  Status status = Status::ok;  // the verdict, for diagnose steps and verify steps without until
  bool failed = false;         // it did not do what was asked: the step fails
  std::string error;           // why, when failed
  std::int64_t changed = 0;    // things changed (0 in a dry run)
  std::int64_t planned = 0;    // things it changes, or would change in a dry run; 0: nothing to do
  std::string summary;         // one line for people: "resume bull:emails (80 jobs waiting)"
  std::string target;          // redacted, for the prompt and the audit line
};

// The rendered arguments, with accessors whose errors name the action and the argument.
class Args {
 public:
  Args(std::string action, nlohmann::json values) : action_(std::move(action)), values_(std::move(values)) {}

  bool has(const std::string& name) const;
  const nlohmann::json& raw(const std::string& name) const;  // null when absent
  std::string str(const std::string& name) const;            // required, non-empty
  std::string str_or(const std::string& name, const std::string& fallback) const;
  std::int64_t integer(const std::string& name) const;       // a number or a decimal string
  std::int64_t integer_or(const std::string& name, std::int64_t fallback) const;
  std::chrono::milliseconds duration_or(const std::string& name, std::chrono::milliseconds fallback) const;
  bool boolean_or(const std::string& name, bool fallback) const;

  // Error(usage) "action NAME: argument ARG: what".
  Error error(const std::string& name, const std::string& what) const;

 private:
  std::string action_;
  nlohmann::json values_;
};

using ActionFn = std::function<ActionResult(const Args&, ActionContext&, DryRun)>;

struct ActionSpec {
  ActionSpec() = default;
  ActionSpec(std::string n, std::string h, Effect e, std::vector<ArgSpec> a, std::vector<FindingSpec> f, ActionFn r)
      : name(std::move(n)), help(std::move(h)), effect(e), args(std::move(a)), findings(std::move(f)), run(std::move(r)) {}

  std::string name;
  std::string help;
  Effect effect = Effect::reads;
  std::vector<ArgSpec> args;
  std::vector<FindingSpec> findings;
  ActionFn run;

  const FindingSpec* finding(const std::string& name) const;
  const ArgSpec* arg(const std::string& name) const;
};

class ActionRegistry {
 public:
  void add(ActionSpec spec);
  const ActionSpec* find(std::string_view name) const;
  std::vector<std::string> names() const;
  const std::vector<ActionSpec>& all() const { return specs_; }

 private:
  std::vector<ActionSpec> specs_;
};

// The built-in actions: queue.*, job.unstick, health.*, db.*, file.*, exec, wait, lookup.
const ActionRegistry& builtin_actions();

}  // namespace opsctl::runbook
