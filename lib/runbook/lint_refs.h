#pragma once
// Reference and type checks of lint (internal to lib/runbook).
#include <optional>
#include <string>
#include <vector>

#include "runbook/lint.h"

namespace opsctl::runbook::detail {

// Where a reference appears: which steps it may name and whether bare findings.X means this step.
struct RefContext {
  const Runbook* rb = nullptr;
  const ActionRegistry* registry = nullptr;
  std::vector<std::string> visible;  // ids of the steps it may read
  const Step* self = nullptr;        // findings.X reads this step's action (until, checks)
  bool run_info = false;             // runbook.* and run.* (comms)
  int line = 0;
  std::vector<Diagnostic>* out = nullptr;

  void error(const std::string& m) const { out->push_back({line, Level::error, m}); }
};

// The static type of a reference's value: "number", "string", "bool", "list", "map", or nullopt
// when unknown. Reports unknown names and invalid references.
std::optional<std::string> check_ref(const RefContext& c, const RefPath& ref);

// Checks references and comparisons of a condition.
void check_condition(const RefContext& c, const Condition& cond);

// Checks references inside a with: value or a template string.
void check_value_refs(const RefContext& c, const nlohmann::json& value);

}  // namespace opsctl::runbook::detail
