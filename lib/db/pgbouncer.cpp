#include "db/pgbouncer.h"

#include <algorithm>
#include <cmath>

namespace opsctl::db {

std::int64_t PoolerView::clients_waiting() const {
  std::int64_t n = 0;
  for (const auto& p : pools) n += p.cl_waiting;
  return n;
}

double PoolerView::max_wait_s() const {
  double m = 0;
  for (const auto& p : pools) m = std::max(m, p.maxwait_s);
  return m;
}

PoolerView pooler_from_results(std::string target, const pg::Result& pools, const pg::Result& stats,
                               const pg::Result& databases) {
  PoolerView v;
  v.target = std::move(target);
  for (std::size_t i = 0; i < pools.rows.size(); ++i) {
    pg::Row row(pools, i);
    PoolerPool p;
    p.database = row.text("database");
    if (p.database == "pgbouncer") continue;  // the admin console itself
    p.user = row.text("user");
    p.pool_mode = row.text("pool_mode");
    p.cl_active = row.integer("cl_active").value_or(0);
    p.cl_waiting = row.integer("cl_waiting").value_or(0);
    p.sv_active = row.integer("sv_active").value_or(0);
    p.sv_idle = row.integer("sv_idle").value_or(0);
    p.sv_used = row.integer("sv_used").value_or(0);
    p.sv_login = row.integer("sv_login").value_or(0);
    // maxwait is whole seconds; maxwait_us (1.8+) the microseconds on top of it.
    p.maxwait_s = static_cast<double>(row.integer("maxwait").value_or(0)) +
                  static_cast<double>(row.integer("maxwait_us").value_or(0)) / 1e6;
    for (std::size_t d = 0; d < databases.rows.size(); ++d) {
      pg::Row db(databases, d);
      if (db.text("name") != p.database) continue;
      p.pool_size = db.integer("pool_size");
      p.reserve_pool = db.integer("reserve_pool");
      if (!p.reserve_pool) p.reserve_pool = db.integer("reserve_pool_size");  // renamed in later releases
    }
    for (std::size_t s = 0; s < stats.rows.size(); ++s) {
      pg::Row st(stats, s);
      if (st.text("database") != p.database) continue;
      p.avg_wait_time_us = st.integer("avg_wait_time");
      p.total_query_count = st.integer("total_query_count");
    }
    v.pools.push_back(std::move(p));
  }
  return v;
}

PoolerView read_pooler(pg::ConnectOptions options) {
  options.peer = pg::Peer::pgbouncer_console;
  try {
    pg::Connection c = pg::Connection::connect(options);
    pg::Result pools = c.simple_query("SHOW POOLS");
    pg::Result stats = c.simple_query("SHOW STATS");
    pg::Result databases = c.simple_query("SHOW DATABASES");
    return pooler_from_results(c.target(), pools, stats, databases);
  } catch (const pg::PgError& e) {
    PoolerView v;
    v.reachable = false;
    v.error = e.what();
    return v;
  }
}

nlohmann::json to_json(const PoolerView& v) {
  auto opt = [](const std::optional<std::int64_t>& x) { return x ? nlohmann::json(*x) : nlohmann::json(nullptr); };
  nlohmann::json pools = nlohmann::json::array();
  for (const auto& p : v.pools) {
    pools.push_back({{"database", p.database}, {"user", p.user}, {"pool_mode", p.pool_mode},
                     {"cl_active", p.cl_active}, {"cl_waiting", p.cl_waiting}, {"sv_active", p.sv_active},
                     {"sv_idle", p.sv_idle}, {"sv_used", p.sv_used}, {"sv_login", p.sv_login},
                     {"maxwait_seconds", std::round(p.maxwait_s * 1000.0) / 1000.0},
                     {"pool_size", opt(p.pool_size)}, {"reserve_pool", opt(p.reserve_pool)},
                     {"avg_wait_time_us", opt(p.avg_wait_time_us)}, {"total_query_count", opt(p.total_query_count)}});
  }
  nlohmann::json j{{"target", v.target}, {"reachable", v.reachable}, {"pools", pools},
                   {"cl_waiting", v.clients_waiting()}, {"maxwait_seconds", std::round(v.max_wait_s() * 1000.0) / 1000.0}};
  if (!v.reachable) j["error"] = v.error;
  return j;
}

}  // namespace opsctl::db
