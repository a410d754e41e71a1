// The `db` noun: PostgreSQL sessions and connection slots.
#include "cmd/registry.h"

namespace opsctl::cmd {

void register_db(CLI::App& app, Registry& reg) {
  CLI::App* db = app.add_subcommand("db", "PostgreSQL: pool diagnosis, sessions, cancel, terminate, locks");
  db->require_subcommand(1);
  add_db_pool(*db, reg);
  add_db_sessions(*db, reg);
  add_db_cancel(*db, reg);
  add_db_terminate(*db, reg);
  add_db_locks(*db, reg);
}

}  // namespace opsctl::cmd
