#include <doctest/doctest.h>

#include "db/locks.h"

using namespace opsctl::db;

TEST_SUITE("db lock forest") {
  TEST_CASE("no waits, no forest") { CHECK(build_lock_forest({}).empty()); }

  TEST_CASE("a chain: the root is the blocker that waits for nobody") {
    auto f = build_lock_forest({{2, 1}, {3, 2}});
    REQUIRE(f.size() == 1);
    CHECK(f[0].pid == 1);
    CHECK(f[0].total_waiters == 2);
    REQUIRE(f[0].waiters.size() == 1);
    CHECK(f[0].waiters[0].pid == 2);
    CHECK(f[0].waiters[0].total_waiters == 1);
    CHECK(f[0].waiters[0].waiters[0].pid == 3);
  }

  TEST_CASE("roots with the most waiters first, then by pid") {
    auto f = build_lock_forest({{11, 10}, {21, 20}, {22, 20}, {31, 30}});
    REQUIRE(f.size() == 3);
    CHECK(f[0].pid == 20);
    CHECK(f[0].total_waiters == 2);
    CHECK(f[1].pid == 10);
    CHECK(f[2].pid == 30);
    CHECK(forest_pids(f) == std::vector<std::int64_t>{10, 11, 20, 21, 22, 30, 31});
  }

  TEST_CASE("a waiter behind two blockers is shown under both, expanded once, counted once") {
    // 1 blocks 2 and 3; both block 4 (4 waits for a lock 2 and 3 hold in shared mode).
    auto f = build_lock_forest({{2, 1}, {3, 1}, {4, 2}, {4, 3}});
    REQUIRE(f.size() == 1);
    CHECK(f[0].total_waiters == 3);
    int expanded = 0;
    int repeated = 0;
    for (const auto& w : f[0].waiters) {
      for (const auto& x : w.waiters) {
        CHECK(x.pid == 4);
        (x.repeated ? repeated : expanded)++;
      }
    }
    CHECK(expanded == 1);
    CHECK(repeated == 1);
  }

  TEST_CASE("a prepared transaction blocks as pid 0") {
    auto f = build_lock_forest({{5, 0}});
    REQUIRE(f.size() == 1);
    CHECK(f[0].pid == 0);
    CHECK(f[0].total_waiters == 1);
  }

  TEST_CASE("a cycle without a root still shows up, flagged") {
    auto f = build_lock_forest({{1, 2}, {2, 1}});
    REQUIRE(f.size() == 1);
    CHECK(f[0].in_cycle);
    CHECK(f[0].pid == 1);
    CHECK(f[0].total_waiters == 1);
  }

  TEST_CASE("a pid listed as its own blocker (parallel workers) is ignored") {
    CHECK(build_lock_forest({{7, 7}}).empty());
  }
}
