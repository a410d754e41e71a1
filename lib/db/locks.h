#pragma once
// Blocking chains: who waits for whom (pg_blocking_pids), as a forest whose roots are the sessions
// that block others without waiting themselves. The forest is built by a pure function from
// (waiter, blocker) pairs, so shapes (chains, diamonds, cycles, prepared transactions) are unit-tested.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pg/connection.h"

namespace opsctl::db {

struct BlockEdge {
  std::int64_t waiter = 0;
  std::int64_t blocker = 0;  // 0: a prepared transaction (pg_prepared_xacts), not a session
};

struct LockNode {
  std::int64_t pid = 0;
  std::vector<LockNode> waiters;  // sessions it blocks directly
  std::int64_t total_waiters = 0; // distinct sessions it blocks, directly or through others
  bool repeated = false;          // shown (and expanded) under another blocker already
  bool in_cycle = false;          // part of a wait cycle with no root (the deadlock detector ends it)
};

// Roots first by total_waiters (most first), then pid. A waiter with two blockers appears under
// both, expanded once. Nodes only reachable through a cycle get a root flagged in_cycle.
std::vector<LockNode> build_lock_forest(const std::vector<BlockEdge>& edges);

// Every pid in the forest, roots included, each once.
std::vector<std::int64_t> forest_pids(const std::vector<LockNode>& forest);

// Current (waiter, blocker) pairs for sessions waiting on a lock, opsctl's own excluded.
std::vector<BlockEdge> read_block_edges(pg::Connection& c);

struct LockInfo {
  std::string waiting_for;         // "ShareLock on transaction 1234", "" when not waiting
  std::vector<std::string> holds;  // granted locks that someone waits for: "RowExclusiveLock on jobs"
};

// Lock modes and relations of the given pids, for `db locks`.
std::map<std::int64_t, LockInfo> read_lock_info(pg::Connection& c, const std::vector<std::int64_t>& pids);

}  // namespace opsctl::db
