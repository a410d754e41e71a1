// db.pool, db.terminate and health.pg: the PostgreSQL commands' operations from lib/db and lib/health.
#include <algorithm>

#include <fmt/format.h>

#include "db/pool.h"
#include "db/sessions.h"
#include "db/signal.h"
#include "health/pg_check.h"
#include "runbook/actions.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

ActionResult pool(const Args& a, ActionContext& ctx, DryRun) {
  db::PoolOptions o;
  o.idle_tx = a.duration_or("idle_tx", o.idle_tx);
  o.long_running = a.duration_or("long", o.long_running);
  o.lock_wait = a.duration_or("lock_wait", o.lock_wait);
  db::PoolReport r;
  std::string target;
  try {
    pg::Connection& c = ctx.pg();
    target = c.target();
    r = db::diagnose_pool(db::read_pool(c), o);
  } catch (const pg::PgError& e) {
    // No slot for opsctl itself is the diagnosis, as in `db pool`.
    if (!pg::is_too_many_connections(e.failure())) throw;
    target = pg::describe_conninfo(ctx.pg_options("").conninfo);
    r = db::diagnose_unreachable(e.diagnosis(), e.what(), std::nullopt, o);
  }
  ActionResult out;
  out.status = r.status;
  out.target = "postgres " + target;
  out.summary = r.verdict;
  json causes = json::array();
  for (const auto& c : r.causes) causes.push_back({{"status", std::string(to_string(c.status))}, {"kind", c.kind}, {"text", c.text}});
  json leaked_pids = json::array();
  for (const auto& s : r.idle_in_transaction) leaked_pids.push_back(s.pid);
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); };
  auto by_state = [&](const char* k) { return r.by_state.count(k) ? r.by_state.at(k) : std::int64_t{0}; };
  out.findings = {{"status", std::string(to_string(r.status))},
                  {"verdict", r.verdict},
                  {"connected", r.connected},
                  {"max_connections", r.settings ? json(r.settings->max_connections) : json(nullptr)},
                  {"usable", opt(r.usable)},
                  {"used", opt(r.used)},
                  {"available", opt(r.available)},
                  {"idle_in_transaction", by_state("idle_in_transaction")},
                  {"leaked", static_cast<std::int64_t>(r.idle_in_transaction.size())},
                  {"leaked_pids", leaked_pids},
                  {"long_running", static_cast<std::int64_t>(r.long_running.size())},
                  {"blockers", static_cast<std::int64_t>(r.blockers.size())},
                  {"causes", causes},
                  {"hints", r.hints}};
  return out;
}

ActionResult terminate(const Args& a, ActionContext& ctx, DryRun dry) {
  db::SessionFilter f;
  if (a.has("state")) f.states = {db::normalize_state(a.str("state"))};
  if (a.has("older_than")) f.older_than = a.duration_or("older_than", {});
  f.user = a.str_or("user", "");
  f.app = a.str_or("app", "");
  f.db = a.str_or("db", "");
  f.query_like = a.str_or("query_like", "");
  if (f.empty()) {
    throw a.error("state", "refusing to terminate every session: choose them with state, older_than, user, app, db "
                           "or query_like");
  }
  std::int64_t limit = a.integer_or("limit", 0);
  if (limit < 0) throw a.error("limit", "must not be negative");
  pg::Connection& c = ctx.pg();
  const auto wait = std::min(std::chrono::milliseconds(5000), c.timeout() / 2);
  std::vector<db::SignalOutcome> outcomes;
  for (auto& row : db::find_sessions(c, f, limit)) {
    if (auto why = db::refusal(db::Signal::terminate, row)) {
      outcomes.push_back({row, "refused", *why, false, true});
    } else if (dry == DryRun::yes) {
      outcomes.push_back({row, "would terminate", "", false, true});
    } else {
      outcomes.push_back(db::signal_session(c, db::Signal::terminate, f, row, wait));
    }
  }
  ActionResult out;
  out.target = "postgres " + c.target();
  json pids = json::array(), results = json::array();
  std::vector<std::string> problems;
  for (const auto& o : outcomes) {
    if (pids.size() < 20) pids.push_back(o.session.pid);
    if (o.result != "refused") ++out.planned;
    if (o.signalled) ++out.changed;
    if (!o.reason.empty()) problems.push_back(fmt::format("pid {}: {}", o.session.pid, o.reason));
    results.push_back({{"pid", o.session.pid}, {"backend_start", o.session.backend_start}, {"user", o.session.user},
                       {"app", o.session.app}, {"state", o.session.state}, {"result", o.result}, {"reason", o.reason}});
  }
  out.summary = fmt::format("terminate {} ({})", plural(out.planned, "session", "sessions"),
                            f.states.empty() ? "chosen by filters" : f.states.front());
  out.findings = {{"matched", static_cast<std::int64_t>(outcomes.size())},
                  {"changed", out.changed},
                  {"pids", pids},
                  {"sessions", results}};
  if (dry == DryRun::no && !problems.empty()) {
    out.failed = true;
    out.error = fmt::format("{}", fmt::join(problems, "; "));
  }
  return out;
}

ActionResult pg_check(const Args& a, ActionContext& ctx, DryRun) {
  health::PgCheckSpec spec;
  spec.name = "postgres";
  spec.connect = ctx.pg_options(a.str_or("url", ""));
  health::CheckResult r = health::check_pg(spec);
  ActionResult out;
  out.status = r.status;
  out.target = r.target;
  out.summary = fmt::format("{}: {} ({})", r.target, to_string(r.status), r.message);
  out.findings = {{"status", std::string(to_string(r.status))},
                  {"healthy", r.status == Status::ok},
                  {"login_ok", r.details.contains("server_version")},
                  {"message", r.message},
                  {"latency_ms", static_cast<std::int64_t>(r.latency_ms)}};
  for (const char* k : {"in_recovery", "used", "available", "usable"}) {
    out.findings[k] = r.details.contains(k) ? r.details[k] : json(nullptr);
  }
  return out;
}

}  // namespace

void add_db(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"db.pool", "PostgreSQL connection usage and the pool-exhaustion verdict (as db pool)", Effect::reads,
           {{"idle_tx", V::duration, false, "a transaction idle longer than this is leaked (default 1m)"},
            {"long", V::duration, false, "an active query older than this is long-running (default 5m)"},
            {"lock_wait", V::duration, false, "lock waits shorter than this are normal (default 1s)"}},
           {{"status", V::string, "ok, warning or critical"},
            {"verdict", V::string, "one line naming the cause"},
            {"connected", V::boolean, "opsctl got a slot itself"},
            {"max_connections", V::integer, "the server's max_connections"},
            {"usable", V::integer, "slots a normal role may use"},
            {"used", V::integer, "slots held by client sessions (opsctl's own excluded)"},
            {"available", V::integer, "slots a normal role can still get (may be negative)"},
            {"idle_in_transaction", V::integer, "sessions idle in a transaction, any age"},
            {"leaked", V::integer, "sessions idle in a transaction for longer than idle_tx"},
            {"leaked_pids", V::list, "their pids"},
            {"long_running", V::integer, "queries active for longer than long"},
            {"blockers", V::integer, "root blockers with waiters"},
            {"causes", V::list, "[{status, kind, text}], most severe first"},
            {"hints", V::list, "what to do next"}},
           pool});
  reg.add({"db.terminate", "end sessions chosen by filters, each guarded by pid and backend_start (as db terminate)",
           Effect::changes,
           {{"state", V::string, false, "active, idle, idle-in-transaction, ..."},
            {"older_than", V::duration, false, "in that state for longer than this"},
            {"user", V::string, false, "role name"},
            {"app", V::string, false, "application_name"},
            {"db", V::string, false, "database name"},
            {"query_like", V::string, false, "query text (LIKE pattern; a substring without %)"},
            {"limit", V::integer, false, "at most this many sessions, longest in their state first"}},
           {{"matched", V::integer, "sessions the filters chose"},
            {"changed", V::integer, "sessions terminated (0 in a dry run)"},
            {"pids", V::list, "a sample of their pids"},
            {"sessions", V::list, "[{pid, backend_start, user, app, state, result, reason}]"}},
           terminate});
}

void add_health_pg(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"health.pg", "a PostgreSQL login, SELECT 1 and the slot verdict (as health --pg)", Effect::reads,
           {{"url", V::string, false, "conninfo to log in with (default: the --pg of the run)"}},
           {{"status", V::string, "ok, warning or critical"},
            {"healthy", V::boolean, "status is ok"},
            {"login_ok", V::boolean, "the login and SELECT 1 worked"},
            {"message", V::string, "what the check found"},
            {"latency_ms", V::integer, "time the check took"},
            {"in_recovery", V::boolean, "the server is a replica"},
            {"used", V::integer, "slots used"},
            {"available", V::integer, "slots a normal role can still get"},
            {"usable", V::integer, "slots a normal role may use"}},
           pg_check});
}

}  // namespace opsctl::runbook::actions
