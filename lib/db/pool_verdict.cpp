// The pool verdict: a pure function of settings, sessions, blocking pairs and the pooler view.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "db/pool.h"

namespace opsctl::db {
namespace {

double secs(std::chrono::milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }
std::string dur(std::chrono::milliseconds d) { return flag_duration(d); }

// "1 slot", "2 slots".
std::string count_of(std::int64_t n, std::string_view noun) { return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s"); }
std::string count_of(std::int64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string who(const SessionRow& s) {
  std::vector<std::string> parts;
  if (!s.user.empty()) parts.push_back(s.user);
  if (!s.app.empty()) parts.push_back(s.app);
  if (!s.state.empty()) parts.push_back(fmt::format("{} for {}", s.state, age_text(s.age_s)));
  return fmt::format("pid {}{}", s.pid, parts.empty() ? "" : fmt::format(" ({})", fmt::join(parts, ", ")));
}

const SessionRow* find_session(const std::vector<SessionRow>& rows, std::int64_t pid) {
  for (const auto& s : rows) {
    if (s.pid == pid) return &s;
  }
  return nullptr;
}

void add_pooler_causes(PoolReport& r, const std::optional<PoolerView>& pooler, const PoolOptions& o) {
  if (!pooler) return;
  if (!pooler->reachable) {
    r.causes.push_back({Status::critical, "pooler_unreachable", fmt::format("pgbouncer unreachable: {}", pooler->error)});
    return;
  }
  const PoolerPool* worst = nullptr;
  for (const auto& p : pooler->pools) {
    if (p.cl_waiting > 0 && (!worst || p.maxwait_s > worst->maxwait_s)) worst = &p;
  }
  if (!worst) return;
  const bool critical = worst->maxwait_s >= secs(o.pooler_wait);
  std::string size = worst->pool_size ? fmt::format("; {} of {} server connections busy", worst->sv_active, *worst->pool_size)
                                      : fmt::format("; {} server connections busy", worst->sv_active);
  r.causes.push_back({critical ? Status::critical : Status::warning, "pooler_queueing",
                      fmt::format("pooler queueing: {} waiting for a server (longest {:.1f}s) in {}/{}{}",
                                  count_of(pooler->clients_waiting(), "client"), worst->maxwait_s, worst->database, worst->user, size)});
}

void finish(PoolReport& r) {
  std::stable_sort(r.causes.begin(), r.causes.end(), [](const Cause& a, const Cause& b) {
    return a.status != b.status && worst(a.status, b.status) == a.status;
  });
  r.status = Status::ok;
  for (const auto& c : r.causes) r.status = worst(r.status, c.status);
}

// Sessions the lists consider: client backends without pg_dump & co., or everything with --all.
bool listed(const SessionRow& s, const PoolOptions& o) {
  return !s.hidden && (o.all || (s.is_client() && !s.is_tool()));
}

}  // namespace

PoolReport diagnose_pool(const PoolInput& in, const PoolOptions& o) {
  PoolReport r;
  r.options = o;
  r.settings = in.settings;
  r.pooler = in.pooler;
  const PoolSettings& st = in.settings;
  const std::int64_t usable = st.max_connections - st.superuser_reserved - st.reserved;
  std::int64_t used = 0;
  for (const char* k : {"active", "idle", "idle_in_transaction", "idle_in_transaction_aborted"}) r.by_state[k] = 0;
  for (const auto& s : in.sessions) {
    if (!s.holds_slot()) continue;
    ++used;
    ++r.by_state[state_key(s.state)];
    if (s.hidden) ++r.hidden;
  }
  r.used = used;
  r.usable = usable;
  r.available = usable - used;
  const double pct = usable > 0 ? 100.0 * static_cast<double>(used) / static_cast<double>(usable) : 100.0;

  for (const auto& s : in.sessions) {
    if (!listed(s, o)) continue;
    if (s.idle_in_transaction() && s.age_s && *s.age_s >= secs(o.idle_tx)) r.idle_in_transaction.push_back(s);
    if (s.state == "active" && s.query_age_s && *s.query_age_s >= secs(o.long_running)) r.long_running.push_back(s);
  }
  auto by_age = [](const SessionRow& a, const SessionRow& b) { return a.age_s.value_or(0) > b.age_s.value_or(0); };
  std::stable_sort(r.idle_in_transaction.begin(), r.idle_in_transaction.end(), by_age);
  std::stable_sort(r.long_running.begin(), r.long_running.end(), [](const SessionRow& a, const SessionRow& b) {
    return a.query_age_s.value_or(0) > b.query_age_s.value_or(0);
  });

  std::vector<const Blocker*> serious;
  for (const auto& root : build_lock_forest(in.edges)) {
    Blocker b;
    b.pid = root.pid;
    if (const SessionRow* s = find_session(in.sessions, root.pid)) b.session = *s;
    b.direct_waiters = static_cast<std::int64_t>(root.waiters.size());
    b.total_waiters = root.total_waiters;
    for (const auto& w : root.waiters) {
      if (const SessionRow* s = find_session(in.sessions, w.pid)) {
        b.longest_wait_s = std::max(b.longest_wait_s, s->query_age_s.value_or(0));
      }
    }
    r.blockers.push_back(std::move(b));
  }
  for (const auto& b : r.blockers) {
    if (b.longest_wait_s >= secs(o.lock_wait)) serious.push_back(&b);
  }

  const std::int64_t leaked = static_cast<std::int64_t>(r.idle_in_transaction.size());
  auto blocker_text = [&](const Blocker& b) {
    if (b.pid == 0) return fmt::format("a prepared transaction holding {} (see pg_prepared_xacts)", count_of(b.total_waiters, "session"));
    return fmt::format("{} holding {}", b.session ? who(*b.session) : fmt::format("pid {}", b.pid),
                       count_of(b.total_waiters, "session"));
  };

  if (usable > 0 && used >= usable) {
    std::string why;
    if (leaked > 0) why = fmt::format("; leaked transactions hold {} of them", leaked);
    else if (!serious.empty()) why = fmt::format("; one blocker holds {} of them", serious.front()->total_waiters + 1);
    else why = fmt::format(" ({} active, {} idle, {} idle in transaction)", r.by_state["active"], r.by_state["idle"],
                           r.by_state["idle_in_transaction"] + r.by_state["idle_in_transaction_aborted"]);
    r.causes.push_back({Status::critical, "slots_exhausted",
                        fmt::format("slots exhausted: {} of {} usable slots in use{}", used, usable, why)});
  } else if (usable <= 0) {
    r.causes.push_back({Status::critical, "slots_exhausted",
                        fmt::format("slots exhausted: the reserves take every slot (max_connections {}, reserved {}+{})",
                                    st.max_connections, st.superuser_reserved, st.reserved)});
  } else if (pct >= 95.0) {
    r.causes.push_back({Status::critical, "high_usage",
                        fmt::format("slots nearly exhausted: {} of {} usable slots in use ({:.0f}%)", used, usable, pct)});
  }
  if (serious.size() == 1) {
    r.causes.push_back({Status::critical, "blocker", "one blocker: " + blocker_text(*serious.front())});
  } else if (serious.size() > 1) {
    std::int64_t held = 0;
    for (const auto* b : serious) held += b->total_waiters;
    r.causes.push_back({Status::critical, "blocker",
                        fmt::format("{} blockers holding {} sessions; worst: {}", serious.size(), held,
                                    blocker_text(*serious.front()))});
  }
  add_pooler_causes(r, in.pooler, o);
  if (leaked > 0) {
    r.causes.push_back({Status::warning, "leaked_transactions",
                        fmt::format("leaked transactions holding {} (idle in transaction > {}; oldest: {})", count_of(leaked, "slot"),
                                    dur(o.idle_tx), who(r.idle_in_transaction.front()))});
  }
  if (usable > 0 && pct >= 80.0 && pct < 95.0) {
    r.causes.push_back({Status::warning, "high_usage",
                        fmt::format("{} of {} usable slots in use ({:.0f}%)", used, usable, pct)});
  }
  finish(r);
  r.verdict = r.causes.empty() ? fmt::format("ok: {} of {} usable slots in use ({:.0f}%)", used, usable, pct)
                               : r.causes.front().text;

  if (leaked > 0) {
    r.hints.push_back(fmt::format("end them: opsctl db terminate --state idle-in-transaction --older-than {}", dur(o.idle_tx)));
    if (st.idle_in_transaction_session_timeout == "0") {
      r.hints.push_back("let the server end leaked transactions: ALTER ROLE <app role> SET "
                        "idle_in_transaction_session_timeout = '5min'");
    }
  }
  for (const auto* b : serious) {
    if (b->pid == 0 || !b->session) continue;
    const char* verb = b->session->idle_in_transaction() ? "terminate" : "cancel";
    r.hints.push_back(fmt::format("end the blocker: opsctl db {} --pid {} --backend-start {}", verb, b->pid,
                                  b->session->backend_start));
  }
  if (r.hidden > 0) {
    r.hints.push_back(fmt::format("{} hidden from this role (counted as client sessions, never listed): grant it pg_monitor "
                                  "to see them", count_of(r.hidden, "session of other roles is", "sessions of other roles are")));
  }
  return r;
}

PoolReport diagnose_unreachable(const pg::Diagnosis& d, const std::string& error, std::optional<PoolerView> pooler,
                                const PoolOptions& o) {
  PoolReport r;
  r.options = o;
  r.connected = false;
  r.error = error;
  r.error_kind = pg::error_kind(d.failure);
  r.pooler = std::move(pooler);
  std::string reason = fmt::format("SQLSTATE {}: {}", d.sqlstate.empty() ? "53300" : d.sqlstate, d.message);
  switch (d.failure) {
    case pg::Failure::role_limit:
      r.causes.push_back({Status::critical, "role_limit",
                          fmt::format("role connection limit reached ({}); other roles can still connect", reason)});
      break;
    case pg::Failure::database_limit:
      r.causes.push_back({Status::critical, "database_limit",
                          fmt::format("database connection limit reached ({}); a superuser can still connect", reason)});
      break;
    case pg::Failure::slots_exhausted:
      r.causes.push_back({Status::critical, "slots_exhausted",
                          fmt::format("slots exhausted: no slot left, the superuser reserve included ({}); find the "
                                      "holders from the application side or the PgBouncer console", reason)});
      break;
    default: {
      const bool role_reserve = d.message.find("pg_use_reserved_connections") != std::string::npos;
      r.causes.push_back({Status::critical, "slots_exhausted",
                          fmt::format("slots exhausted: opsctl got no slot ({}); a superuser{} can still connect: run "
                                      "opsctl db pool as one to see who holds them", reason,
                                      role_reserve ? " or a role granted pg_use_reserved_connections" : "")});
    }
  }
  add_pooler_causes(r, r.pooler, o);
  finish(r);
  r.verdict = r.causes.front().text;
  return r;
}

}  // namespace opsctl::db
