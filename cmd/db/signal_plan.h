#pragma once
// The two steps of db cancel | db terminate, shared with the terminate key of `opsctl top`.
#include <string>
#include <vector>

#include "db/signal.h"
#include "mutation/result.h"
#include "pg/connection.h"

namespace opsctl::cmd {

// Sessions chosen by the filters (refused ones marked), plus an outcome for each --pid they did not choose.
std::vector<db::SignalOutcome> signal_plan(pg::Connection& c, db::Signal sig, const db::SessionFilter& filter);
// Signals exactly the sessions the plan would, each re-checked by its guard.
std::vector<db::SignalOutcome> signal_apply(pg::Connection& c, db::Signal sig, const db::SessionFilter& filter,
                                            const std::vector<db::SignalOutcome>& planned);
// The protocol's result of outcomes, with the sessions table as details.
mutation::Result signal_result(db::Signal sig, const std::string& target, const std::vector<db::SignalOutcome>& outcomes);

}  // namespace opsctl::cmd
