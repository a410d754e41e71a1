// opsctl db pool: connection usage and the pool-exhaustion verdict, with the PgBouncer view.
#include <future>

#include <fmt/format.h>

#include "cmd/db/pool_flags.h"
#include "cmd/db/render_pool.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "db/pool.h"
#include "output/format.h"

namespace opsctl::cmd {
namespace {

std::future<db::PoolerView> start_pooler(Session& s, const PoolFlags& f) {
  if (f.pgbouncer.empty()) return {};
  pg::ConnectOptions o;
  o.conninfo = f.pgbouncer;
  o.source = "--pgbouncer";
  o.timeout = s.timeout();
  pg::validate_conninfo(o.conninfo, o.source);
  if (pg::conninfo_has_password(o.conninfo)) {
    s.io().err << "opsctl: warning: the password in --pgbouncer is visible in ps and shell history; "
                  "prefer PGPASSWORD or ~/.pgpass\n";
  }
  // The console needs no PostgreSQL slot: it is read alongside, and still answers when the server is full.
  return std::async(std::launch::async, [o] { return db::read_pooler(o); });
}

int run_pool(Session& s, const PoolFlags& f) {
  const db::PoolOptions o = to_options(f);
  std::future<db::PoolerView> pooler = start_pooler(s, f);
  auto pooler_view = [&]() -> std::optional<db::PoolerView> {
    if (!pooler.valid()) return std::nullopt;
    return pooler.get();
  };
  // Metrics keep one label whatever happens; people get the session's own target when there is one.
  const std::string label = s.pg_display();
  std::string target = label;
  RunReport& run = s.report();
  run.up_metric = "opsctl_pg_up";
  run.labels["target"] = label;
  run.json = {{"status", nullptr}, {"target", label}, {"max_connections", nullptr}, {"superuser_reserved", nullptr},
              {"reserved", nullptr}, {"used", nullptr}, {"available", nullptr}, {"by_state", nullptr},
              {"idle_in_transaction", nullptr}, {"long_running", nullptr}, {"blockers", nullptr}};
  db::PoolReport report;
  try {
    pg::Connection& c = s.pg();
    target = c.target();
    db::PoolInput in = db::read_pool(c);
    in.pooler = pooler_view();
    report = db::diagnose_pool(in, o);
  } catch (const pg::PgError& e) {
    // No slot for opsctl itself is the diagnosis, not a failure of the check.
    if (!pg::is_too_many_connections(e.failure())) {
      if (pooler.valid()) pooler.wait();
      throw;
    }
    report = db::diagnose_unreachable(e.diagnosis(), e.what(), pooler_view(), o);
    run.up = false;
    run.down_because = report.error_kind;
  }
  switch (s.format()) {
    case output::Format::json: {
      nlohmann::json j = db::to_json(report);
      j["target"] = target;
      s.emit(output::json_document(j));
      break;
    }
    case output::Format::nagios: s.emit(pool_nagios(report)); break;
    case output::Format::prom: s.emit(pool_prom(report, run.labels)); break;
    case output::Format::text: s.emit(pool_text(report, target, s.color())); break;
  }
  return static_cast<int>(exit_code(report.status));
}

}  // namespace

void add_db_pool(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<PoolFlags>();
  CLI::App* cmd = noun.add_subcommand("pool", "connection usage and pool-exhaustion diagnosis");
  add_pool_flags(cmd, *f);
  reg.add(cmd, [f](Session& s) { return run_pool(s, *f); });
}

}  // namespace opsctl::cmd
