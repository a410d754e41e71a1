#include <doctest/doctest.h>

#include "db/pgbouncer.h"

using namespace opsctl::db;
using opsctl::pg::Result;

TEST_SUITE("db pgbouncer") {
  TEST_CASE("columns are read by name; the admin pseudo-database is left out; SHOW DATABASES gives the pool size") {
    Result pools;
    // 1.18 order with an extra column a future release might add.
    pools.columns = {"database", "user", "cl_active", "cl_waiting", "cl_active_cancel_req", "sv_active", "sv_idle",
                     "sv_used", "sv_tested", "sv_login", "maxwait", "maxwait_us", "pool_mode", "future_column"};
    pools.rows = {{"app", "app", "20", "7", "0", "20", "0", "0", "0", "0", "3", "250000", "transaction", "x"},
                  {"pgbouncer", "pgbouncer", "1", "0", "0", "0", "0", "0", "0", "0", "0", "0", "statement", "x"}};
    Result stats;
    stats.columns = {"database", "total_query_count", "avg_wait_time"};
    stats.rows = {{"app", "12345", "8000"}};
    Result dbs;
    dbs.columns = {"name", "host", "pool_size", "reserve_pool"};
    dbs.rows = {{"app", "db1", "20", "5"}, {"pgbouncer", std::nullopt, "2", "0"}};
    PoolerView v = pooler_from_results("pgb:6432/pgbouncer", pools, stats, dbs);
    REQUIRE(v.pools.size() == 1);
    const auto& p = v.pools[0];
    CHECK(p.database == "app");
    CHECK(p.cl_waiting == 7);
    CHECK(p.sv_active == 20);
    CHECK(p.maxwait_s == doctest::Approx(3.25));
    CHECK(*p.pool_size == 20);
    CHECK(*p.reserve_pool == 5);
    CHECK(*p.total_query_count == 12345);
    CHECK(*p.avg_wait_time_us == 8000);
    CHECK(v.clients_waiting() == 7);
    nlohmann::json j = to_json(v);
    CHECK(j["pools"][0]["maxwait_seconds"] == 3.25);
    CHECK(j["cl_waiting"] == 7);
  }

  TEST_CASE("an old PgBouncer without maxwait_us or reserve_pool still reads") {
    Result pools;
    pools.columns = {"database", "user", "cl_active", "cl_waiting", "sv_active", "sv_idle", "maxwait", "pool_mode"};
    pools.rows = {{"app", "app", "1", "0", "1", "1", "0", "session"}};
    PoolerView v = pooler_from_results("x", pools, Result{}, Result{});
    REQUIRE(v.pools.size() == 1);
    CHECK_FALSE(v.pools[0].pool_size.has_value());
    CHECK(v.pools[0].maxwait_s == 0);
  }
}
