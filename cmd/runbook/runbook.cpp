// The `runbook` noun: scripted diagnose -> fix -> verify (format: opsctl-runbook(5)).
#include "cmd/registry.h"
#include "cmd/runbook/history.h"

namespace opsctl::cmd {

void register_runbook(CLI::App& app, Registry& reg) {
  CLI::App* noun = app.add_subcommand("runbook", "runbooks: diagnose, fix and verify an incident (list, show, run, history, lint)");
  noun->require_subcommand(1);
  add_runbook_list(*noun, reg);
  add_runbook_show(*noun, reg);
  add_runbook_run(*noun, reg);
  add_runbook_history(*noun, reg);
  add_runbook_lint(*noun, reg);
}

}  // namespace opsctl::cmd
