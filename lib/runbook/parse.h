#pragma once
// Loading a runbook file: YAML syntax and structure (keys, types, kinds, expression and placeholder
// syntax). Names are checked by lint (lint.h): actions, arguments, parameters, findings.
#include <string>
#include <string_view>

#include "runbook/model.h"

namespace opsctl::runbook {

// Parses text read from source (a path, or "built-in:<name>.yaml"). Throws config_error
// "<source>:<line>: <what is wrong>" (exit 78) at the first problem.
Runbook parse_runbook(std::string_view text, const std::string& source);

}  // namespace opsctl::runbook
