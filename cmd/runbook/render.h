#pragma once
// Text rendering of runbook runs and progress lines (stderr, on a TTY only).
#include <string>

#include "runbook/executor.h"

namespace opsctl::cmd {

std::string render_run(const runbook::RunReport& r, bool color);
std::string step_started_line(const runbook::StepReport& r);
std::string step_finished_line(const runbook::StepReport& r, bool color);

}  // namespace opsctl::cmd
