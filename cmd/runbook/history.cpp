// opsctl runbook history [NAME]: the runs recorded in the run history, newest last (table or -o json);
// and what `runbook run --resume RUN_ID` restores from it.
#include "cmd/runbook/history.h"

#include <fmt/format.h>

#include "audit/audit.h"
#include "cmd/mutation.h"
#include "cmd/registry.h"
#include "cmd/runbook/common.h"
#include "core/error.h"
#include "output/format.h"
#include "output/table.h"
#include "runbook/params.h"
#include "util/duration.h"

namespace opsctl::cmd {

namespace history = runbook::history;

std::string history_path(Session& s) { return history::path_for(audit_path(s)).string(); }

Resumed prepare_resume(Session& s, const std::string& run_id, const std::string& runbook_dir, runbook::RunOptions& o) {
  std::string path = history_path(s);
  std::vector<history::Run> runs = history::fold(history::read(path));
  auto it = std::find_if(runs.begin(), runs.end(), [&](const history::Run& r) { return r.run_id == run_id; });
  if (it == runs.end()) throw usage_error(fmt::format("--resume: no run {} in {}", run_id, path));
  if (!history::resumable(*it)) {
    throw usage_error(fmt::format("--resume: run {} of {} {} ({}): start a new run", run_id, it->runbook,
                                  it->dry_run ? "was a dry run" : "has finished", it->outcome));
  }
  bool builtin = it->source.rfind("built-in:", 0) == 0;
  Resumed out{*it, load_runbook(builtin ? it->runbook : it->source, runbook_dirs(s, runbook_dir))};
  std::vector<std::string> ids;
  for (const auto& step : out.rb.steps) ids.push_back(step.id);
  if (ids != it->step_ids) {
    throw usage_error(fmt::format("--resume: the steps of runbook {} changed since run {} started ({} then, {} now)",
                                  out.rb.name, run_id, fmt::join(it->step_ids, ", "), fmt::join(ids, ", ")));
  }
  std::vector<std::pair<std::string, std::string>> given = o.params;
  o.params.clear();
  for (const auto& [k, v] : it->params) {
    bool again = std::any_of(given.begin(), given.end(), [&](const auto& p) { return p.first == k; });
    if (again) continue;
    if (v.find("***") != std::string::npos) {
      throw usage_error(fmt::format("--resume: parameter {} was redacted in the history: give it again with --param {}=...", k, k));
    }
    if (const runbook::Param* p = out.rb.param(k); p && p->default_text && *p->default_text == v) continue;
    o.params.emplace_back(k, v);
  }
  for (auto& p : given) o.params.push_back(p);
  for (const auto& step : out.rb.steps) {  // the completed prefix, in the runbook's order
    auto rec = it->steps.find(step.id);
    if (rec == it->steps.end() || !history::completed(rec->second.value("status", ""))) break;
    o.resumed.push_back(history::step_from_json(rec->second));
  }
  if (!it->awaiting.empty()) {
    const audit::Identity who = audit::identify(s.io().env);
    o.approved_step = it->awaiting;
    o.approved_by = fmt::format("{}@{} (--resume)", who.user, who.host);
  }
  o.run_id = run_id;
  return out;
}

namespace {

struct HistoryFlags {
  std::string name;
  std::size_t last = 20;
};

int run_history(Session& s, const HistoryFlags& f) {
  if (s.format() != output::Format::text && s.format() != output::Format::json) {
    throw usage_error("runbook history supports -o text and -o json");
  }
  std::vector<history::Run> runs = history::fold(history::read(history_path(s)));
  if (!f.name.empty()) {
    runs.erase(std::remove_if(runs.begin(), runs.end(), [&](const history::Run& r) { return r.runbook != f.name; }),
               runs.end());
  }
  if (f.last > 0 && runs.size() > f.last) runs.erase(runs.begin(), runs.end() - static_cast<std::ptrdiff_t>(f.last));
  if (s.format() == output::Format::json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : runs) rows.push_back(history::to_json(r));
    s.emit(output::json_document({{"runs", rows}}));
    return 0;
  }
  output::Table table({"RUN ID", "RUNBOOK", "STARTED", "OUTCOME", "EXIT", "STEPS", "DURATION", "CONTEXT"});
  for (const auto& r : runs) {
    std::size_t done = 0;
    for (const auto& [id, step] : r.steps) done += history::completed(step.value("status", "")) ? 1 : 0;
    std::string outcome = r.outcome + (r.awaiting.empty() ? "" : " (" + r.awaiting + ")") + (r.dry_run ? " dry-run" : "");
    table.add_row({r.run_id, r.runbook, r.started_at, outcome, r.exit_code < 0 ? "-" : std::to_string(r.exit_code),
                   fmt::format("{}/{}", done, r.step_ids.size()),
                   util::format_duration(std::chrono::milliseconds(r.duration_ms)),
                   r.context.empty() ? "-" : r.context});
  }
  s.emit(runs.empty() ? std::string("no runbook runs recorded\n") : table.render());
  return 0;
}

}  // namespace

void add_runbook_history(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<HistoryFlags>();
  CLI::App* cmd = noun.add_subcommand("history", "runs recorded in the run history (what --resume continues)");
  cmd->add_option("runbook", f->name, "only the runs of this runbook");
  cmd->add_option("--last", f->last, "the newest N runs (0: all; default 20)");
  reg.add(cmd, [f](Session& s) { return run_history(s, *f); });
}

}  // namespace opsctl::cmd
