#include "cmd/db/pool_flags.h"

#include "util/duration.h"

namespace opsctl::cmd {

void add_pool_flags(CLI::App* cmd, PoolFlags& f) {
  cmd->add_option("--long", f.long_running, "an active query older than this is long-running (default 5m)");
  cmd->add_option("--idle-tx", f.idle_tx, "a transaction idle longer than this is leaked (default 1m)");
  cmd->add_option("--lock-wait", f.lock_wait, "lock waits shorter than this are normal (default 1s)");
  cmd->add_option("--pooler-wait", f.pooler_wait, "critical when a PgBouncer client waits this long (default 5s)");
  cmd->add_option("--pgbouncer", f.pgbouncer, "PgBouncer admin console conninfo, e.g. 'host=... port=6432 dbname=pgbouncer'");
  cmd->add_flag("--all", f.all, "keep pg_dump/pg_basebackup and non-client backends in the lists");
}

db::PoolOptions to_options(const PoolFlags& f) {
  db::PoolOptions o;
  o.long_running = util::parse_duration(f.long_running);
  o.idle_tx = util::parse_duration(f.idle_tx);
  o.lock_wait = util::parse_duration(f.lock_wait);
  o.pooler_wait = util::parse_duration(f.pooler_wait);
  o.all = f.all;
  return o;
}

}  // namespace opsctl::cmd
