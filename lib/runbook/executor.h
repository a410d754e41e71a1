#pragma once
// Running a runbook: diagnose steps always run (a changing action as its dry run); fix steps obey
// --dry-run and ask the caller before changing anything; verify steps poll until their condition
// holds or the timeout passes; a failure stops, continues or rolls back (the rollback bodies of the
// fixes done so far, newest first). No printing here: the caller renders the report and prompts.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "runbook/action.h"
#include "runbook/model.h"

namespace opsctl::runbook {

struct Message {
  Status status = Status::ok;
  std::string text;
};

struct StepReport {
  std::string id;
  std::string title;
  std::string action;
  StepKind kind = StepKind::diagnose;
  std::string status = "not-run";  // one of step_statuses() (lint.h)
  Status verdict = Status::ok;     // diagnose: the verdict of the action and checks
  nlohmann::json findings = nlohmann::json::object();
  std::vector<std::string> finding_order;  // the action's findings, in its documented order
  std::int64_t changed = 0;
  std::int64_t planned = 0;
  std::string summary;    // what the action did or would do, one line
  std::string target;     // redacted
  std::string error;      // why it failed or was refused
  std::string note;       // why it was skipped
  std::vector<Message> messages;  // checks that matched
  std::int64_t started_ms = 0;
  std::int64_t duration_ms = 0;
  int attempts = 0;         // verify: how many times the action ran; others: with retry
  std::string rollback_of;  // a rollback entry: the id of the fix it undoes
  bool resumed = false;     // completed by the run before --resume: restored, not run again
};

struct RunOptions {
  std::vector<std::pair<std::string, std::string>> params;  // --param key=value, in order
  DryRun dry_run = DryRun::no;
  std::optional<std::string> from_step;  // fix and verify steps before it are skipped
  std::string context;                   // the config context, for the comms template
  std::string run_id;                    // the run's id (history), for notifications
  // --resume: the steps the interrupted run completed, in order; they are restored, never run again.
  std::vector<StepReport> resumed;
  // --resume of a run stopped at an approve step: resuming approves it (who, for the record).
  std::string approved_step, approved_by;
};

struct RunReport {
  std::string runbook, description, severity, source;
  std::vector<std::pair<std::string, std::string>> params;  // as given or defaulted
  bool dry_run = false;
  Status status = Status::ok;     // the run's verdict: the JSON "status"
  Status diagnosis = Status::ok;  // the worst verdict of the diagnose steps
  std::string outcome;  // nothing-to-do, unresolved, dry-run, verified, fixed, failed, rolled-back, rollback-failed, refused
  int exit_code = 0;
  std::string refusal;  // why a fix was not allowed (outcome refused, exit 4)
  std::vector<StepReport> steps;
  std::int64_t started_ms = 0, finished_ms = 0;
  std::string comms;    // the runbook's comms template, filled in
  std::string run_id;
  std::string awaiting_approval;  // the approve step the run stopped at (outcome awaiting-approval)
  nlohmann::json notifications = nlohmann::json::array();  // runbook-level: {event, sent, summary}
};

// The caller's answer before a fix step changes anything.
struct Decision {
  bool proceed = false;
  std::string reason;  // why not: "no TTY and no --yes", "declined", "context prod is read_only"
};

// The answer at an approve step.
struct Approval {
  enum class Answer { approved, declined, pending } answer = Answer::pending;
  std::string by;      // who approved
  std::string reason;  // declined: why; pending: nobody to ask (no TTY)
};

struct Hooks {
  // Asked before each fix that would change something (preview filled in). Required for real runs.
  std::function<Decision(const Step&, const StepReport& preview)> confirm;
  // Each fix attempt, dry runs and rollbacks included: result is "dry-run", "ok", "ok: nothing to
  // change", "failed: ...", "refused: ...".
  std::function<void(const StepReport&, const std::string& result)> audit;
  std::function<void(const StepReport&)> step_started;
  std::function<void(const StepReport&)> step_finished;
  // Each step's report once settled (skipped ones too), before the next step starts: the run
  // history records it durably here, so a resumed run never repeats a completed fix.
  std::function<void(const StepReport&)> record;
  // An approve step (message rendered). Without this hook every approval is pending.
  std::function<Approval(const Step&, const std::string& message)> approve;
};

// Binds the parameters (usage_error on a bad one) and runs. Action failures become step statuses;
// only a bad parameter or a missing hook throws.
RunReport execute(const Runbook& rb, const ActionRegistry& registry, ActionContext& ctx, const RunOptions& options,
                  const Hooks& hooks);

}  // namespace opsctl::runbook
