#include "health/pg_check.h"

#include <fmt/format.h>

#include "db/pool.h"
#include "util/redact.h"

namespace opsctl::health {

CheckResult check_pg(const PgCheckSpec& spec) {
  auto start = std::chrono::steady_clock::now();
  CheckResult r;
  r.kind = "postgres";
  r.name = spec.name;
  r.target = util::redact(spec.connect.conninfo.empty() ? "libpq defaults" : spec.connect.conninfo);
  try {
    auto conn = pg::Connection::connect(spec.connect);
    r.target = conn.target();
    auto one = conn.query("SELECT 1 AS one, pg_is_in_recovery() AS in_recovery");
    bool in_recovery = !one.rows.empty() && one.rows[0].size() > 1 && one.rows[0][1] && *one.rows[0][1] == "t";
    r.details["in_recovery"] = in_recovery;
    r.details["server_version"] = conn.server_version();
    db::PoolReport pool = db::diagnose_pool(db::read_pool(conn), db::PoolOptions{});
    r.details["used"] = pool.used ? nlohmann::json(*pool.used) : nlohmann::json();
    r.details["available"] = pool.available ? nlohmann::json(*pool.available) : nlohmann::json();
    r.details["usable"] = pool.usable ? nlohmann::json(*pool.usable) : nlohmann::json();
    r.status = pool.status;
    r.message = fmt::format("{}{}", in_recovery ? "replica (in recovery); " : "", pool.verdict);
  } catch (const pg::PgError& e) {
    r.status = Status::critical;
    r.message = pg::is_too_many_connections(e.failure())
                    ? fmt::format("no free connection slots: {}", e.what())
                    : std::string(e.what());
  } catch (const Error& e) {
    r.status = Status::critical;
    r.message = e.what();
  }
  r.latency_ms = elapsed_ms(start);
  return r;
}

}  // namespace opsctl::health
