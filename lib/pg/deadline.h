#pragma once
// Deadlines for libpq's non-blocking calls (internal to lib/pg).
#include <libpq-fe.h>

#include <chrono>

namespace opsctl::pg {

using Clock = std::chrono::steady_clock;

// Waits until fd is ready for events (POLLIN/POLLOUT) or the deadline passes: false on timeout.
// A socket error counts as ready, so libpq itself reports it.
bool wait_socket(int fd, short events, Clock::time_point deadline);

// Sends a cancel request for conn's running query, waiting at most `wait` for it to go out.
// PQcancel opens its own blocking connection, which a dead network could hang: it runs on a detached
// thread that owns its PGcancel, so opsctl's deadline holds whatever the network does.
void cancel_in_background(PGconn* conn, std::chrono::milliseconds wait);

}  // namespace opsctl::pg
