#pragma once
// The run history of `runbook run` (lib/runbook/history.h) over the session: its file, the records of
// one run as it goes, and what --resume RUN_ID restores.
#include <string>

#include <CLI/CLI.hpp>

#include "cmd/registry.h"
#include "cmd/session.h"
#include "runbook/executor.h"
#include "runbook/history.h"
#include "runbook/model.h"

namespace opsctl::cmd {

// runbook-history.jsonl next to the session's audit log.
std::string history_path(Session& s);

// What --resume RUN_ID continues: the run, its runbook, and the options restoring its completed steps.
struct Resumed {
  runbook::history::Run run;
  runbook::Runbook rb;
};

// Loads the run and its runbook; fills o (params: the recorded ones, then --param; resumed steps;
// the approval a resume gives). usage_error for an unknown id, a finished run, an edited runbook, or
// a redacted parameter not given again.
Resumed prepare_resume(Session& s, const std::string& run_id, const std::string& runbook_dir,
                       runbook::RunOptions& o);

// The `runbook history` verb.
void add_runbook_history(CLI::App& noun, Registry& reg);

}  // namespace opsctl::cmd
