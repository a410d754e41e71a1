// opsctl db cancel | db terminate: signal the sessions the filters choose, each guarded by pid AND
// backend_start in the statement that signals it, through the mutation protocol (dry run, confirm,
// read_only, audit).
#include <algorithm>

#include <fmt/format.h>

#include "cmd/db/filter_flags.h"
#include "cmd/db/render.h"
#include "cmd/db/signal_plan.h"
#include "cmd/mutation.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "db/sessions.h"
#include "db/signal.h"

namespace opsctl::cmd {
namespace {

struct SignalFlags {
  FilterFlags filter;
  bool dry_run = false;
};

bool succeeded(const db::SignalOutcome& o) { return o.reason.empty() && (o.signalled || o.result.rfind("would ", 0) == 0); }

}  // namespace

mutation::Result signal_result(db::Signal sig, const std::string& target, const std::vector<db::SignalOutcome>& outcomes) {
  mutation::Result r;
  r.action = fmt::format("db.{}", db::to_string(sig));
  r.target = target;
  std::vector<db::SessionRow> rows;
  std::vector<std::string> results;
  nlohmann::json sessions = nlohmann::json::array();
  for (const auto& o : outcomes) {
    if (o.matched) {
      ++r.matched;
      r.add_sample(std::to_string(o.session.pid));
    }
    if (o.signalled) ++r.changed;
    if (!succeeded(o)) r.results.push_back({std::to_string(o.session.pid), o.result, o.reason});
    rows.push_back(o.session);
    results.push_back(o.result);
    nlohmann::json j = db::to_json(o.session);
    j["result"] = o.result;
    if (!o.reason.empty()) j["reason"] = o.reason;
    sessions.push_back(j);
  }
  r.details["sessions"] = sessions;
  if (!rows.empty()) r.details_text = sessions_table(rows, results) + "\n";
  return r;
}

std::vector<db::SignalOutcome> signal_plan(pg::Connection& c, db::Signal sig, const db::SessionFilter& filter) {
  std::vector<db::SignalOutcome> out;
  for (auto& row : db::find_sessions(c, filter)) {
    db::SignalOutcome o{row, fmt::format("would {}", db::to_string(sig)), "", false, true};
    if (auto why = db::refusal(sig, row)) {
      o.result = "refused";
      o.reason = *why;
    }
    out.push_back(std::move(o));
  }
  for (std::int64_t pid : filter.pids) {
    bool found = std::any_of(out.begin(), out.end(), [&](const db::SignalOutcome& o) { return o.session.pid == pid; });
    if (!found) out.push_back(db::explain_unmatched(c, pid, filter.backend_start));
  }
  return out;
}

std::vector<db::SignalOutcome> signal_apply(pg::Connection& c, db::Signal sig, const db::SessionFilter& filter,
                                            const std::vector<db::SignalOutcome>& planned) {
  const auto wait = std::min(std::chrono::milliseconds(5000), c.timeout() / 2);
  std::vector<db::SignalOutcome> done;
  for (const auto& p : planned) {
    if (p.result.rfind("would ", 0) == 0) done.push_back(db::signal_session(c, sig, filter, p.session, wait));
    else done.push_back(p);  // refused or unmatched in the preview: reported again, never signalled
  }
  return done;
}

namespace {

int run_signal(Session& s, db::Signal sig, const SignalFlags& f) {
  db::SessionFilter filter = to_filter(f.filter);
  const std::string verb = db::to_string(sig);
  if (filter.empty()) {
    throw usage_error(fmt::format("db {}: refusing to signal every session; choose them with --state, --older-than, "
                                  "--user, --app, --db, --query-like or --pid", verb));
  }
  if (sig == db::Signal::cancel &&
      std::any_of(filter.states.begin(), filter.states.end(), [](const std::string& st) { return st.rfind("idle in transaction", 0) == 0; })) {
    throw usage_error("db cancel: a session idle in a transaction runs no query, so a cancel does nothing to it; "
                      "use db terminate --state idle-in-transaction");
  }
  MutationSpec spec;
  spec.action = fmt::format("db.{}", verb);
  spec.target = fmt::format("postgres {}", s.pg_display());
  spec.verb_phrase = verb;
  spec.noun_phrase = "sessions";
  spec.dry_run = f.dry_run;
  // The apply step signals exactly the sessions the preview showed, each re-checked by its guard.
  std::vector<db::SignalOutcome> planned;
  auto preview = [&] {
    planned = signal_plan(s.pg(), sig, filter);
    return signal_result(sig, spec.target, planned);
  };
  auto apply = [&] { return signal_result(sig, spec.target, signal_apply(s.pg(), sig, filter, planned)); };
  return run_mutation(s, spec, preview, apply);
}

void add_signal(CLI::App& noun, Registry& reg, db::Signal sig, const char* help) {
  auto f = std::make_shared<SignalFlags>();
  CLI::App* cmd = noun.add_subcommand(db::to_string(sig), help);
  add_filter_flags(*cmd, f->filter);
  cmd->add_flag("--dry-run", f->dry_run, "list the sessions that would be signalled; signal nothing");
  reg.add(cmd, [f, sig](Session& s) { return run_signal(s, sig, *f); });
}

}  // namespace

void add_db_cancel(CLI::App& noun, Registry& reg) {
  add_signal(noun, reg, db::Signal::cancel,
             "cancel the running query of chosen sessions (pg_cancel_backend); the sessions stay");
}

void add_db_terminate(CLI::App& noun, Registry& reg) {
  add_signal(noun, reg, db::Signal::terminate,
             "end chosen sessions (pg_terminate_backend): their transactions roll back, their slots free up");
}

}  // namespace opsctl::cmd
