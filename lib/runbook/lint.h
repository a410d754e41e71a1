#pragma once
// Static checks of a parsed runbook against an action registry: actions known, their arguments, every reference in with:, when:, until:, checks and comms (parameters,
// earlier steps, finding names), and the types compared in conditions.
#include <string>
#include <vector>

#include "runbook/action.h"
#include "runbook/model.h"

namespace opsctl::runbook {

enum class Level { error, warning };

struct Diagnostic {
  int line = 0;
  Level level = Level::error;
  std::string message;
};

std::vector<Diagnostic> lint(const Runbook& rb, const ActionRegistry& registry);

bool has_errors(const std::vector<Diagnostic>& diagnostics);

// "<source>:<line>: error: <message>", like a compiler.
std::string format_diagnostic(const Runbook& rb, const Diagnostic& d);

// Step statuses a condition can compare steps.<id>.status with.
const std::vector<std::string>& step_statuses();

}  // namespace opsctl::runbook
