// Actions whose operations are not in this build yet: registered so that lint and run name them and
// refuse them with "not available in this build" instead of "unknown action".
#include <fmt/format.h>

#include "runbook/actions.h"
#include "runbook/actions_queue.h"

namespace opsctl::runbook::actions {
namespace {

ActionSpec pending(std::string name, std::string help, Effect effect, std::string why) {
  ActionSpec s;
  s.name = std::move(name);
  s.help = std::move(help);
  s.effect = effect;
  s.unavailable = std::move(why);
  return s;
}

}  // namespace

std::vector<ArgSpec> unstick_args() {
  using V = ValueType;
  return {{"queue", V::string, false, "BullMQ queue name (or table)"},
          {"older_than", V::duration, false, "also jobs started longer ago than this (a hung worker)"},
          {"to", V::string, false, "wait (default) or failed"},
          {"limit", V::integer, false, "move at most this many jobs"},
          {"table", V::string, false, "SQL job table instead of a queue"}};
}

std::vector<FindingSpec> unstick_findings() {
  using V = ValueType;
  return {{"matched", V::integer, "stuck jobs found"},
          {"changed", V::integer, "jobs moved (0 in a dry run)"},
          {"ids", V::list, "a sample of their ids"},
          {"locked", V::integer, "active jobs left alone: a live worker holds their lock"},
          {"to", V::string, "where they go"},
          {"problems", V::list, "jobs skipped for bad data"}};
}

ActionResult unstick_sql(const Args& a, ActionContext&, DryRun) {
  throw a.error("table", "SQL job tables (job unstick --sql) are not available in this build");
}

void add_db(ActionRegistry& reg) {
  reg.add(pending("db.pool", "PostgreSQL pool-exhaustion diagnosis (as db pool)", Effect::reads,
                  "PostgreSQL support (db pool) is not in this build"));
  reg.add(pending("db.terminate", "terminate sessions chosen by filters (as db terminate)", Effect::changes,
                  "PostgreSQL support (db terminate) is not in this build"));
}

void add_health_pg(ActionRegistry& reg) {
  reg.add(pending("health.pg", "PostgreSQL login and query check (as health --pg)", Effect::reads,
                  "PostgreSQL support (health --pg) is not in this build"));
}

}  // namespace opsctl::runbook::actions
