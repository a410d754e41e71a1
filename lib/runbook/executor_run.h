#pragma once
// One run of a runbook (internal to lib/runbook): executor.cpp drives the steps and decides the
// outcome, executor_steps.cpp runs each kind of step.
#include <vector>

#include "runbook/executor.h"
#include "runbook/template.h"

namespace opsctl::runbook::detail {

class Run {
 public:
  Run(const Runbook& rb, const ActionRegistry& registry, ActionContext& ctx, const RunOptions& options,
      const Hooks& hooks);
  RunReport execute();

 private:
  // What invoking an action gave: the result, or the failure (an action that threw).
  struct Outcome {
    ActionResult result;
    bool ok = true;
    std::string error;
    Status failure_status = Status::critical;
  };

  Outcome invoke(const ActionCall& call, DryRun dry);
  Outcome attempt(const Step& s, DryRun dry, StepReport& r);  // invoke, again on failure per retry:
  StepReport start(const Step& s) const;
  void fill(StepReport& r, const Outcome& o) const;
  void remember(const StepReport& r);  // steps.<id> in the scope

  void diagnose(const Step& s, StepReport& r);
  void conclude(const Step& s, StepReport& r, const Outcome& o);  // a diagnose's checks and verdict
  void fix(const Step& s, StepReport& r);
  void verify(const Step& s, StepReport& r);
  void approve(const Step& s, StepReport& r);
  void run_step(const Step& s, StepReport& r);
  void run_parallel(std::size_t first, std::size_t last);  // diagnose steps [first, last) at once
  void settle(const Step& s, StepReport& r);                // report, remember, record, stop or not
  void notify(const std::string& event, Status level, const std::string& text);
  void notify_findings(const StepReport& r);
  void rollback();
  bool condition(const Condition& c, const nlohmann::json& findings, StepReport& r, const char* what);
  std::chrono::milliseconds duration_setting(const std::optional<std::string>& text, std::chrono::milliseconds fallback);

  void finish();

  const Runbook& rb_;
  const ActionRegistry& registry_;
  ActionContext& ctx_;
  const RunOptions& options_;
  const Hooks& hooks_;
  Scope scope_;
  RunReport report_;
  std::vector<const Step*> undo_;  // fixes done that have a rollback, oldest first
  bool refused_ = false;
  bool stop_ = false;
  bool rolled_back_ = false;
};

}  // namespace opsctl::runbook::detail
