#pragma once
// `queue inspect --watch DUR`: the inspection every DUR as rolling lines (timestamp, figures, their
// change since the previous line, verdict), or one JSON object a line, until interrupted.
#include <chrono>

#include "cmd/session.h"
#include "queue/inspect.h"

namespace opsctl::cmd {

// Returns 0 when interrupted (Ctrl-C, SIGTERM): the normal end of a watch. A failed tick is one
// line on stderr (and an error object on stdout with -o json); the next tick connects afresh.
int watch_inspect(Session& s, queue::InspectOptions o, std::chrono::milliseconds every);

}  // namespace opsctl::cmd
