// opsctl db sessions: sessions from pg_stat_activity with filters (state, age, user, app, db, query, pid).
#include <fmt/format.h>

#include "cmd/db/filter_flags.h"
#include "cmd/db/render.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "db/sessions.h"
#include "output/format.h"

namespace opsctl::cmd {
namespace {

struct SessionsFlags {
  FilterFlags filter;
  std::int64_t limit = 500;
};

int run_sessions(Session& s, const SessionsFlags& f) {
  if (s.format() == output::Format::nagios || s.format() == output::Format::prom) {
    throw usage_error("db sessions supports -o text and -o json (db pool is the check)");
  }
  if (f.limit < 1 || f.limit > 100000) throw usage_error("--limit must be between 1 and 100000");
  db::SessionFilter filter = to_filter(f.filter);
  // A listing, not a check: when PostgreSQL cannot be reached its stdout stays empty (a promise
  // since its first release, tested); the exit code and the one stderr line say why.
  s.report().json_on_failure = false;
  pg::Connection& c = s.pg();
  // One more than asked tells whether the list was cut.
  std::vector<db::SessionRow> rows = db::find_sessions(c, filter, f.limit + 1);
  const bool truncated = static_cast<std::int64_t>(rows.size()) > f.limit;
  if (truncated) rows.resize(static_cast<std::size_t>(f.limit));
  if (s.format() == output::Format::json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : rows) list.push_back(db::to_json(r));
    s.emit(output::json_document({{"target", c.target()}, {"count", rows.size()}, {"truncated", truncated},
                                  {"sessions", list}}));
    return 0;
  }
  if (rows.empty()) {
    s.emit(fmt::format("No sessions match in {}.\n", c.target()));
    return 0;
  }
  std::string out = sessions_table(rows);
  out += fmt::format("\n{} sessions in {}{}\n", rows.size(), c.target(),
                     truncated ? fmt::format(" (first {}; raise --limit for more)", f.limit) : "");
  s.emit(out);
  return 0;
}

}  // namespace

void add_db_sessions(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<SessionsFlags>();
  CLI::App* cmd = noun.add_subcommand("sessions", "sessions with filters (state, age, user, app, db, query, pid)");
  add_filter_flags(*cmd, f->filter);
  cmd->add_option("--limit", f->limit, "at most this many sessions (default 500)");
  reg.add(cmd, [f](Session& s) { return run_sessions(s, *f); });
}

}  // namespace opsctl::cmd
