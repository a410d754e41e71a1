#include "cmd/db/render_pool.h"

#include <fmt/format.h>

#include "cmd/db/render.h"
#include "output/format.h"
#include "output/monitoring.h"
#include "output/table.h"

namespace opsctl::cmd {
namespace {

using output::Align;

// The smallest `used` the warning (80%) and critical (95%) rules fire at, as Nagios ranges
// ("alert above N"): N is that value minus one.
std::pair<std::int64_t, std::int64_t> used_ranges(std::int64_t usable) {
  const std::int64_t warn_at = (80 * usable + 99) / 100;
  const std::int64_t crit_at = (95 * usable + 99) / 100;
  return {warn_at - 1, crit_at - 1};
}

std::string blockers_table(const db::PoolReport& r) {
  output::Table t({"PID", "BLOCKS", "DIRECT", "LONGEST WAIT", "USER", "APP", "STATE", "AGE", "QUERY"},
                  {Align::right, Align::right, Align::right, Align::right});
  for (const auto& b : r.blockers) {
    const db::SessionRow* s = b.session ? &*b.session : nullptr;
    t.add_row({b.pid == 0 ? "prepared" : std::to_string(b.pid), std::to_string(b.total_waiters),
               std::to_string(b.direct_waiters), db::age_text(b.longest_wait_s), s ? one_line(s->user, 20) : "-",
               s ? one_line(s->app, 24) : "-", s && !s->state.empty() ? s->state : "-", s ? db::age_text(s->age_s) : "-",
               s ? one_line(s->query, 60) : "-"});
  }
  return t.render();
}

std::string pooler_text(const db::PoolerView& v) {
  if (!v.reachable) return fmt::format("\nPgBouncer: unreachable: {}\n", v.error);
  std::string out = fmt::format("\nPgBouncer {}:\n", v.target);
  output::Table t({"DATABASE", "USER", "MODE", "CL_ACTIVE", "CL_WAITING", "MAXWAIT", "SV_ACTIVE", "SV_IDLE", "SV_USED",
                   "POOL_SIZE", "AVG_WAIT"},
                  {Align::left, Align::left, Align::left, Align::right, Align::right, Align::right, Align::right,
                   Align::right, Align::right, Align::right, Align::right});
  for (const auto& p : v.pools) {
    t.add_row({p.database, p.user, p.pool_mode, std::to_string(p.cl_active), std::to_string(p.cl_waiting),
               fmt::format("{:.1f}s", p.maxwait_s), std::to_string(p.sv_active), std::to_string(p.sv_idle),
               std::to_string(p.sv_used), p.pool_size ? std::to_string(*p.pool_size) : "-",
               p.avg_wait_time_us ? fmt::format("{}us", *p.avg_wait_time_us) : "-"});
  }
  return out + (v.pools.empty() ? "  no pools yet\n" : t.render());
}

}  // namespace

std::string pool_text(const db::PoolReport& r, const std::string& target, bool color) {
  std::string out = fmt::format("PostgreSQL: {}\n", target);
  out += fmt::format("Status:     {}  {}\n", output::colorize(r.status, to_upper(r.status), color), r.verdict);
  if (!r.connected) {
    out += fmt::format("Error:      {}\n", r.error);
  } else if (r.settings) {
    const auto& st = *r.settings;
    out += fmt::format("Slots:      {} used of {} usable, {} available (max_connections {} - superuser_reserved {} - "
                       "reserved {}{})\n",
                       r.used.value_or(0), r.usable.value_or(0), r.available.value_or(0), st.max_connections,
                       st.superuser_reserved, st.reserved, st.reserved_supported ? "" : ": before PostgreSQL 16");
    std::vector<std::string> states;
    for (const auto& [k, n] : r.by_state) {
      std::string words = k;
      for (char& ch : words) ch = ch == '_' ? ' ' : ch;
      if (n > 0) states.push_back(fmt::format("{} {}", words, n));
    }
    out += fmt::format("By state:   {}\n", states.empty() ? "no client sessions" : fmt::format("{}", fmt::join(states, ", ")));
  }
  if (!r.idle_in_transaction.empty()) {
    out += fmt::format("\nLeaked transactions (idle in transaction > {}):\n", db::flag_duration(r.options.idle_tx));
    out += sessions_table(r.idle_in_transaction);
  }
  if (!r.long_running.empty()) {
    out += fmt::format("\nLong-running queries (active > {}):\n", db::flag_duration(r.options.long_running));
    out += sessions_table(r.long_running);
  }
  if (!r.blockers.empty()) out += "\nRoot blockers:\n" + blockers_table(r);
  if (r.pooler) out += pooler_text(*r.pooler);
  if (r.causes.size() > 1) {
    out += "\nFindings:\n";
    for (const auto& c : r.causes) out += fmt::format("  {:<8} {}\n", to_upper(c.status), c.text);
  }
  if (!r.hints.empty()) {
    out += "\nNext:\n";
    for (const auto& h : r.hints) out += fmt::format("  {}\n", h);
  }
  return out;
}

std::string pool_nagios(const db::PoolReport& r) {
  std::vector<output::PerfData> perf;
  if (r.connected && r.used && r.usable) {
    auto [warn, crit] = used_ranges(*r.usable);
    perf.push_back({"used", static_cast<double>(*r.used), "", std::to_string(warn), std::to_string(crit)});
    perf.push_back({"available", static_cast<double>(*r.available), "", "", ""});
    perf.push_back({"idle_in_transaction", static_cast<double>(r.idle_in_transaction.size()), "", "", ""});
    perf.push_back({"long_running", static_cast<double>(r.long_running.size()), "", "", ""});
    std::int64_t blocked = 0;
    for (const auto& b : r.blockers) blocked += b.total_waiters;
    perf.push_back({"blocked", static_cast<double>(blocked), "", "", ""});
  }
  if (r.pooler && r.pooler->reachable) {
    perf.push_back({"cl_waiting", static_cast<double>(r.pooler->clients_waiting()), "", "", ""});
    perf.push_back({"maxwait", r.pooler->max_wait_s(), "s", "", ""});
  }
  return output::nagios_line("DB", r.status, r.verdict, perf);
}

std::string pool_prom(const db::PoolReport& r, const output::PromLabels& run) {
  // opsctl_pg_up comes with the run's own metrics (Session::emit), 0 with its cause when the server is full.
  output::PromSet out(run);
  out.add("opsctl_pg_status", static_cast<double>(static_cast<int>(exit_code(r.status))));
  if (r.connected && r.settings) {
    out.add("opsctl_pg_max_connections", static_cast<double>(r.settings->max_connections));
    out.add("opsctl_pg_reserved_connections", {{"kind", "superuser"}}, static_cast<double>(r.settings->superuser_reserved));
    out.add("opsctl_pg_reserved_connections", {{"kind", "reserved"}}, static_cast<double>(r.settings->reserved));
    for (const auto& [k, n] : r.by_state) out.add("opsctl_pg_connections", {{"state", k}}, static_cast<double>(n));
    out.add("opsctl_pg_connections_used", static_cast<double>(r.used.value_or(0)));
    out.add("opsctl_pg_connections_usable", static_cast<double>(r.usable.value_or(0)));
    out.add("opsctl_pg_connections_available", static_cast<double>(r.available.value_or(0)));
    out.add("opsctl_pg_idle_in_transaction_sessions", static_cast<double>(r.idle_in_transaction.size()));
    out.add("opsctl_pg_idle_in_transaction_max_age_seconds",
            r.idle_in_transaction.empty() ? 0.0 : r.idle_in_transaction.front().age_s.value_or(0));
    out.add("opsctl_pg_long_running_queries", static_cast<double>(r.long_running.size()));
    std::int64_t blocked = 0;
    for (const auto& b : r.blockers) blocked += b.total_waiters;
    out.add("opsctl_pg_root_blockers", static_cast<double>(r.blockers.size()));
    out.add("opsctl_pg_blocked_sessions", static_cast<double>(blocked));
  }
  if (r.pooler && r.pooler->reachable) {
    for (const auto& p : r.pooler->pools) {
      output::PromLabels l{{"database", p.database}, {"user", p.user}};
      out.add("opsctl_pgbouncer_clients_waiting", l, static_cast<double>(p.cl_waiting));
      out.add("opsctl_pgbouncer_maxwait_seconds", l, p.maxwait_s);
      for (auto [state, n] : {std::pair{"active", p.sv_active}, {"idle", p.sv_idle}, {"used", p.sv_used}}) {
        auto ls = l;
        ls["state"] = state;
        out.add("opsctl_pgbouncer_server_connections", ls, static_cast<double>(n));
      }
    }
  }
  return out.exposition();
}

}  // namespace opsctl::cmd
