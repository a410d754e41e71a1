#pragma once
// Pieces of the queue and job actions that live in their own files (internal to lib/runbook).
#include <vector>

#include "runbook/action.h"

namespace opsctl::runbook::actions {

// job.unstick with `table`: stuck rows of an SQL job table, as `job unstick --sql`.
ActionResult unstick_sql(const Args& a, ActionContext& ctx, DryRun dry);
std::vector<ArgSpec> unstick_args();
std::vector<FindingSpec> unstick_findings();

// queue.retry: failed (or completed) jobs back to waiting, as `queue retry`.
void add_queue_retry(ActionRegistry& reg);

}  // namespace opsctl::runbook::actions
