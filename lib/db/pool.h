#pragma once
// Pool-exhaustion diagnosis: how many slots a normal role can still get, who holds them, and one
// verdict that names the cause (slots exhausted, leaked transactions, one blocker, pooler queueing).
// read_pool() gathers the facts; diagnose_pool() is a pure function of them, unit-tested row by row.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "db/activity.h"
#include "db/locks.h"
#include "db/pgbouncer.h"
#include "pg/connection.h"

namespace opsctl::db {

struct PoolSettings {
  std::int64_t max_connections = 0;
  std::int64_t superuser_reserved = 0;
  std::int64_t reserved = 0;           // reserved_connections (PostgreSQL 16+), else 0
  bool reserved_supported = false;     // the server has reserved_connections
  int server_version = 0;              // 150004
  std::string idle_in_transaction_session_timeout;  // "0" when the server never ends leaked transactions
};

struct PoolOptions {
  std::chrono::milliseconds long_running{std::chrono::minutes(5)};  // --long
  std::chrono::milliseconds idle_tx{std::chrono::minutes(1)};       // --idle-tx
  std::chrono::milliseconds lock_wait{std::chrono::seconds(1)};     // --lock-wait: shorter waits are normal
  std::chrono::milliseconds pooler_wait{std::chrono::seconds(5)};   // --pooler-wait
  bool all = false;                                                 // --all: keep pg_dump & co. in the lists
};

struct PoolInput {
  PoolSettings settings;
  std::vector<SessionRow> sessions;  // all of pg_stat_activity but opsctl's own backend
  std::vector<BlockEdge> edges;
  std::optional<PoolerView> pooler;
};

struct Blocker {
  std::int64_t pid = 0;               // 0: a prepared transaction
  std::optional<SessionRow> session;  // nullopt when it is not a session (or ended meanwhile)
  std::int64_t direct_waiters = 0;
  std::int64_t total_waiters = 0;
  double longest_wait_s = 0;          // the longest waiting query among its direct waiters
};

struct Cause {
  Status status = Status::ok;
  std::string kind;  // slots_exhausted, blocker, leaked_transactions, pooler_queueing, pooler_unreachable, high_usage
  std::string text;
};

struct PoolReport {
  Status status = Status::ok;
  std::string verdict;               // one line naming the cause
  std::vector<Cause> causes;         // every finding, most severe first
  bool connected = true;             // false: opsctl got no slot itself (53300) or no session at all
  std::string error;                 // why not connected
  std::optional<ErrorKind> error_kind;
  std::optional<PoolSettings> settings;
  std::optional<std::int64_t> used;  // client backends holding a slot, opsctl's own excluded
  std::optional<std::int64_t> usable;     // max_connections - superuser_reserved - reserved
  std::optional<std::int64_t> available;  // usable - used: slots a normal role can still get (may be < 0)
  std::map<std::string, std::int64_t> by_state;  // active, idle, idle_in_transaction, ... of client backends
  std::vector<SessionRow> idle_in_transaction;   // older than --idle-tx
  std::vector<SessionRow> long_running;          // active longer than --long
  std::vector<Blocker> blockers;                 // root blockers, most waiters first
  std::optional<PoolerView> pooler;
  std::int64_t hidden = 0;                       // rows of other roles this role cannot see
  std::vector<std::string> hints;                // what to do next
  PoolOptions options;
};

// Reads settings, sessions and blocking pairs in one read-only transaction (one activity snapshot).
PoolInput read_pool(pg::Connection& c);

// The diagnosis. Status: critical when available <= 0, usage >= 95% of usable slots, a root
// blocker with a waiter older than lock_wait, or a pooler client waiting >= pooler_wait;
// warning at >= 80%, any transaction idle longer than idle_tx, or any pooler client waiting.
PoolReport diagnose_pool(const PoolInput& in, const PoolOptions& o);

// opsctl itself got no slot (53300 and its variants): critical, with the server's reason and who
// can still get in. The pooler view, which needs no PostgreSQL slot, is kept when given.
PoolReport diagnose_unreachable(const pg::Diagnosis& d, const std::string& error, std::optional<PoolerView> pooler,
                                const PoolOptions& o);

// {"status","verdict","causes","connected","max_connections","superuser_reserved","reserved","used",
//  "usable","available","by_state","idle_in_transaction","long_running","blockers","pgbouncer",...}
nlohmann::json to_json(const PoolReport& r);

// by_state key of a pg_stat_activity state: "idle in transaction" -> "idle_in_transaction".
std::string state_key(const std::string& state);

}  // namespace opsctl::db
