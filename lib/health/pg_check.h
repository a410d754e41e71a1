#pragma once
// The PostgreSQL health check: a real login and SELECT 1 (a wrong password is critical and says so),
// recovery state, and slot usage with the same accounting and verdict as `db pool`.
#include "health/check.h"
#include "pg/connection.h"

namespace opsctl::health {

struct PgCheckSpec {
  std::string name;
  pg::ConnectOptions connect;
};

CheckResult check_pg(const PgCheckSpec& spec);

}  // namespace opsctl::health
