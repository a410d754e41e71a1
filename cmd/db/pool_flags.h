#pragma once
// The flags of the pool diagnosis, shared by `db pool` and the db tab of `opsctl top`.
#include <string>

#include <CLI/CLI.hpp>

#include "db/pool.h"

namespace opsctl::cmd {

struct PoolFlags {
  std::string long_running = "5m";
  std::string idle_tx = "1m";
  std::string lock_wait = "1s";
  std::string pooler_wait = "5s";
  std::string pgbouncer;
  bool all = false;
};

// --long, --idle-tx, --lock-wait, --pooler-wait, --pgbouncer, --all.
void add_pool_flags(CLI::App* cmd, PoolFlags& f);

// The durations parsed (a bad one is a usage error).
db::PoolOptions to_options(const PoolFlags& f);

}  // namespace opsctl::cmd
