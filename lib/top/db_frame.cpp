#include "top/db_frame.h"

#include <fmt/format.h>

#include "util/text.h"

namespace opsctl::top {
namespace {

std::string seconds(const std::optional<double>& s) {
  return s ? age_cell(static_cast<std::int64_t>(*s * 1000)) : "-";
}

std::string session_text(const db::SessionRow& r) {
  return fmt::format("{:>7} {:<10} {:<12} {:<8} {:>7} {}", r.pid, util::truncate_utf8(r.user, 10), util::truncate_utf8(r.app, 12),
                     util::truncate_utf8(r.db, 8), seconds(r.xact_age_s ? r.xact_age_s : r.query_age_s), r.query);
}

}  // namespace

std::vector<db::SessionRow> db_selectable(const db::PoolReport& pool) {
  std::vector<db::SessionRow> out = pool.idle_in_transaction;
  out.insert(out.end(), pool.long_running.begin(), pool.long_running.end());
  return out;
}

std::vector<Line> db_frame(const std::optional<db::PoolReport>& pool, const std::string& error, const Snapshot& s,
                           const View& v, int width, int height) {
  auto lines = header(s, v, "db", width);
  if (!pool) {
    lines.push_back({error.empty() ? "reading pg_stat_activity..." : "PostgreSQL: " + error, Status::critical, !error.empty()});
    return fit(std::move(lines), width, height);
  }
  const auto& p = *pool;
  lines.push_back({fmt::format("{} {}", to_upper(p.status), p.verdict), p.status, true});
  std::string slots = fmt::format("slots: {} used of {} usable, {} available", p.used.value_or(0), p.usable.value_or(0),
                                  p.available.value_or(0));
  for (const auto& [state, n] : p.by_state) slots += fmt::format("  {} {}", state, n);
  lines.push_back({slots});
  std::size_t row = 0;
  auto section = [&](const std::string& title, const std::vector<db::SessionRow>& rows, Status level) {
    lines.push_back({fmt::format("{} ({})      PID USER       APP          DB           AGE QUERY", title, rows.size()), Status::ok, false, false, true});
    for (const auto& r : rows) {
      lines.push_back({(row == v.selected ? "> " : "  ") + session_text(r), level, true, row == v.selected});
      ++row;
    }
  };
  section("IDLE IN TRANSACTION", p.idle_in_transaction, Status::warning);
  section("LONGEST RUNNING", p.long_running, Status::warning);
  lines.push_back({fmt::format("BLOCKERS ({})", p.blockers.size()), Status::ok, false, false, true});
  for (const auto& b : p.blockers) {
    lines.push_back({fmt::format("  pid {} blocks {} ({} directly), longest wait {}", b.pid, b.total_waiters, b.direct_waiters,
                                 seconds(b.longest_wait_s)), Status::critical, true});
  }
  if (p.pooler) {
    lines.push_back({fmt::format("PGBOUNCER {}{}", p.pooler->target, p.pooler->reachable ? "" : ": " + p.pooler->error), Status::ok, false, false, true});
    for (const auto& pl : p.pooler->pools) {
      lines.push_back({fmt::format("  {}/{} {} clients active {} waiting {} servers active {} idle {}", pl.database, pl.user, pl.pool_mode,
                                   pl.cl_active, pl.cl_waiting, pl.sv_active, pl.sv_idle), pl.cl_waiting ? Status::warning : Status::ok, pl.cl_waiting > 0});
    }
  }
  if (height <= 0) return lines;
  std::string status = v.message.empty() ? "Esc back  Up/Down session  t terminate the selected session" : v.message;
  lines = fit(std::move(lines), width, height - 1);
  lines.push_back({util::truncate_utf8(status, static_cast<std::size_t>(width))});
  return lines;
}

}  // namespace opsctl::top
