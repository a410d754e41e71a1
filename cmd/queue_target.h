#pragma once
// The queue store's target as messages and audit lines name it, before anything connects: a
// mutation refused (read_only) or failing to connect still names what it was aimed at.
#include <string>

#include "cmd/session.h"

namespace opsctl::cmd {

// "127.0.0.1:6379" for Redis, "db1:5432/app as app" for BullMQ's PostgreSQL backend (redacted).
std::string queue_target_display(Session& s);

}  // namespace opsctl::cmd
