#pragma once
// The PgBouncer view of a pool: SHOW POOLS, SHOW STATS and SHOW DATABASES on the admin console
// (simple query protocol only; columns read by name, since every PgBouncer release adds some).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/connection.h"

namespace opsctl::db {

struct PoolerPool {
  std::string database;
  std::string user;
  std::string pool_mode;
  std::int64_t cl_active = 0;
  std::int64_t cl_waiting = 0;   // clients that sent a query and have no server connection
  std::int64_t sv_active = 0;
  std::int64_t sv_idle = 0;
  std::int64_t sv_used = 0;
  std::int64_t sv_login = 0;
  double maxwait_s = 0;          // how long the oldest waiting client has waited
  std::optional<std::int64_t> pool_size;      // SHOW DATABASES
  std::optional<std::int64_t> reserve_pool;
  std::optional<std::int64_t> avg_wait_time_us;  // SHOW STATS, per database
  std::optional<std::int64_t> total_query_count;
};

struct PoolerView {
  std::string target;            // redacted display of the console
  bool reachable = true;
  std::string error;             // why not, when unreachable
  std::vector<PoolerPool> pools; // the admin pseudo-database "pgbouncer" left out

  std::int64_t clients_waiting() const;
  double max_wait_s() const;
};

// Joins the three SHOW results into pools (pure: unit-tested with hand-made results).
PoolerView pooler_from_results(std::string target, const pg::Result& pools, const pg::Result& stats,
                               const pg::Result& databases);

// Connects to the console at options (a PgBouncer conninfo, usually with dbname=pgbouncer) and reads
// it. A console that cannot be reached comes back as reachable = false with the error, so the pool
// diagnosis still reports the PostgreSQL side.
PoolerView read_pooler(pg::ConnectOptions options);

nlohmann::json to_json(const PoolerView& v);

}  // namespace opsctl::db
