#include "db/sessions.h"

#include <fmt/format.h>

namespace opsctl::db {

std::vector<SessionRow> find_sessions(pg::Connection& c, const SessionFilter& f, std::int64_t limit) {
  Conditions cond = filter_conditions(f);
  std::string sql = fmt::format("SELECT {} FROM pg_stat_activity a WHERE true{} ORDER BY a.state_change NULLS LAST, a.pid",
                                activity_columns(), cond.sql);
  if (limit > 0) sql += fmt::format(" LIMIT {}", limit);  // an integer opsctl validated, not user text
  return sessions_from(c.query(sql, cond.params));
}

std::vector<SessionRow> all_sessions(pg::Connection& c) {
  return sessions_from(c.query(fmt::format(
      "SELECT {} FROM pg_stat_activity a WHERE a.pid <> pg_backend_pid() ORDER BY a.state_change NULLS LAST, a.pid",
      activity_columns())));
}

std::optional<SessionRow> session_by_pid(pg::Connection& c, std::int64_t pid) {
  auto rows = sessions_from(c.query(fmt::format("SELECT {} FROM pg_stat_activity a WHERE a.pid = $1::int",
                                                activity_columns()),
                                    {std::to_string(pid)}));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

}  // namespace opsctl::db
