// Gathering the facts of the pool diagnosis.
#include "db/pool.h"
#include "db/sessions.h"

namespace opsctl::db {

PoolInput read_pool(pg::Connection& c) {
  PoolInput in;
  // One transaction: pg_stat_activity is snapshotted once, so rows and counts agree.
  pg::Transaction tx(c, "BEGIN READ ONLY");
  pg::Result s = c.query(
      "SELECT current_setting('max_connections')::int AS max_connections, "
      "current_setting('superuser_reserved_connections')::int AS superuser_reserved, "
      // NULL before PostgreSQL 16, which has no reserved_connections.
      "current_setting('reserved_connections', true) AS reserved, "
      "current_setting('idle_in_transaction_session_timeout') AS idle_tx_timeout");
  pg::Row row(s, 0);
  PoolSettings& st = in.settings;
  st.max_connections = row.integer("max_connections").value_or(0);
  st.superuser_reserved = row.integer("superuser_reserved").value_or(0);
  st.reserved_supported = row.value("reserved").has_value();
  st.reserved = row.integer("reserved").value_or(0);
  st.server_version = c.server_version();
  st.idle_in_transaction_session_timeout = row.text("idle_tx_timeout");
  in.sessions = all_sessions(c);
  in.edges = read_block_edges(c);
  tx.commit();
  return in;
}

}  // namespace opsctl::db
