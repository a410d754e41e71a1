#include "db/activity.h"

#include <cmath>

#include "util/duration.h"
#include "util/text.h"

namespace opsctl::db {
namespace {

nlohmann::json opt_text(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

nlohmann::json opt_age(const std::optional<double>& s) {
  if (!s) return nullptr;
  return std::round(*s * 1000.0) / 1000.0;
}

}  // namespace

bool SessionRow::is_tool() const { return app == "pg_dump" || app == "pg_dumpall" || app == "pg_basebackup"; }

std::string_view activity_columns() {
  return R"(a.pid,
  to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS backend_start,
  a.usename AS user_name, a.application_name AS app,
  coalesce(host(a.client_addr), CASE WHEN a.client_port = -1 THEN 'local' END) AS client,
  a.datname AS db, a.state, a.backend_type, a.wait_event_type, a.wait_event,
  extract(epoch FROM now() - a.state_change)::float8 AS age_s,
  extract(epoch FROM now() - a.xact_start)::float8 AS xact_age_s,
  extract(epoch FROM now() - a.query_start)::float8 AS query_age_s,
  left(a.query, 200) AS query)";
}

SessionRow session_from_row(const pg::Row& row) {
  SessionRow s;
  s.pid = row.integer("pid").value_or(0);
  s.backend_start = row.text("backend_start");
  s.user = row.text("user_name");
  s.app = row.text("app");
  s.client = row.text("client");
  s.db = row.text("db");
  s.state = row.text("state");
  s.backend_type = row.text("backend_type");
  s.wait_event_type = row.text("wait_event_type");
  s.wait_event = row.text("wait_event");
  s.age_s = row.number("age_s");
  s.xact_age_s = row.number("xact_age_s");
  s.query_age_s = row.number("query_age_s");
  s.query = util::truncate_utf8(row.text("query"), query_width);
  s.hidden = s.query == "<insufficient privilege>";
  return s;
}

std::vector<SessionRow> sessions_from(const pg::Result& r) {
  std::vector<SessionRow> out;
  out.reserve(r.rows.size());
  for (std::size_t i = 0; i < r.rows.size(); ++i) out.push_back(session_from_row(pg::Row(r, i)));
  return out;
}

nlohmann::json to_json(const SessionRow& s) {
  return nlohmann::json{{"pid", s.pid},
                        {"backend_start", opt_text(s.backend_start)},
                        {"user", opt_text(s.user)},
                        {"app", s.app},
                        {"client", opt_text(s.client)},
                        {"db", opt_text(s.db)},
                        {"state", opt_text(s.state)},
                        {"backend_type", s.backend_type},
                        {"wait_event_type", opt_text(s.wait_event_type)},
                        {"wait_event", opt_text(s.wait_event)},
                        {"age_seconds", opt_age(s.age_s)},
                        {"xact_age_seconds", opt_age(s.xact_age_s)},
                        {"query_age_seconds", opt_age(s.query_age_s)},
                        {"query", s.query}};
}

std::string flag_duration(std::chrono::milliseconds d) {
  const long long ms = d.count();
  if (ms % 1000 != 0 || ms == 0) return std::to_string(ms) + "ms";
  const long long s = ms / 1000;
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

std::string age_text(const std::optional<double>& seconds) {
  if (!seconds) return "-";
  const double ms = std::max(0.0, *seconds * 1000.0);
  return util::format_duration(util::Millis(static_cast<long long>(ms)));
}

}  // namespace opsctl::db
