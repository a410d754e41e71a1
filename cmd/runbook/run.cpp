// opsctl runbook run NAME|FILE --param k=v ... [--dry-run] [--from-step ID] [--transcript FILE.md]:
// diagnose, fix (asking first: a prompt on a TTY, else --yes), verify, roll back; every fix audited.
#include <fmt/format.h>

#include "audit/audit.h"
#include "cmd/mutation.h"
#include "cmd/registry.h"
#include "cmd/runbook/common.h"
#include "cmd/runbook/history.h"
#include "cmd/runbook/render.h"
#include "core/error.h"
#include "output/format.h"
#include "output/monitoring.h"
#include "runbook/executor.h"
#include "runbook/params.h"
#include "runbook/report.h"
#include "util/redact.h"

namespace opsctl::cmd {
namespace {

struct RunFlags {
  std::string target;
  std::vector<std::string> params;
  bool dry_run = false;
  std::string from_step;
  std::string transcript;
  std::string runbook_dir;
  std::string resume;
};

std::string context_name(Session& s) {
  const config::Context* ctx = s.context();
  return ctx ? ctx->name : "";
}

// The caller's side of a fix step, by the rules of every mutation (lib/mutation/gate.h): read_only
// contexts refuse, --yes agrees, a TTY asks; a `confirm: true` context has its name typed once per run.
runbook::Decision confirm(mutation::Gate& gate, mutation::AuditSink& audit, const runbook::Runbook& rb,
                          const runbook::Step& step, const runbook::StepReport& preview) {
  const mutation::Consent& c = gate.consent();
  if (c.read_only) return {false, fmt::format("context {} is read_only", c.context)};
  auto why = gate.approve(mutation::AskAlways::no, [&](mutation::Prompter& p) {
    std::string text = fmt::format("Runbook {}, step {} ({}): {}\n", rb.name, step.id, preview.action, preview.summary);
    if (step.rollback) text += fmt::format("If a later step fails it is undone with {}.\n", step.rollback->action);
    text += fmt::format("Proceed{}? [y/N] ", c.context.empty() ? "" : fmt::format(" in context {}", c.context));
    return p.ask_yes_no(text);
  });
  switch (why) {
    case mutation::Refusal::none: break;
    case mutation::Refusal::no_tty:
      return {false, "no TTY to confirm on: pass --yes to run fix steps (or --dry-run to preview)"};
    case mutation::Refusal::declined: return {false, "not confirmed"};
    case mutation::Refusal::context_not_typed: return {false, "context name not typed"};
  }
  try {
    audit.check_writable();
  } catch (const Error& e) {
    return {false, e.what()};
  }
  return {true, ""};
}

// An approve step: on a TTY the person is asked (and types the context's name where it asks for
// that); without one the run stops, to be resumed after approval.
runbook::Approval approve(Session& s, mutation::Gate& gate, IoPrompter& prompter, const runbook::Runbook& rb,
                          const runbook::Step& step, const std::string& message) {
  if (!prompter.interactive()) return {runbook::Approval::Answer::pending, "", "no TTY"};
  auto why = gate.approve(mutation::AskAlways::yes, [&](mutation::Prompter& p) {
    return p.ask_yes_no(fmt::format("Runbook {}, step {} needs approval: {}\nApprove? [y/N] ", rb.name, step.id, message));
  });
  if (why != mutation::Refusal::none) {
    return {runbook::Approval::Answer::declined, "",
            why == mutation::Refusal::context_not_typed ? "context name not typed" : "not approved"};
  }
  const audit::Identity who = audit::identify(s.io().env);
  return {runbook::Approval::Answer::approved, fmt::format("{}@{}", who.user, who.host), ""};
}

// The run history: a failure to write it is said once; the run goes on (its audit log still holds every fix).
struct HistoryWriter {
  Session& s;
  std::string path;
  bool warned = false;
  void write(const nlohmann::json& record) {
    try {
      runbook::history::append(path, record);
    } catch (const Error& e) {
      if (!warned) s.io().err << "opsctl: warning: " << util::redact(e.what()) << "; --resume will not know this run\n";
      warned = true;
    }
  }
};

void audit_fix(Session& s, mutation::AuditSink& audit, const runbook::Runbook& rb, const runbook::StepReport& r,
               bool dry_run, const std::string& result) {
  audit::Record rec;
  rec.target = fmt::format("{} (runbook {}, step {})", r.target.empty() ? "-" : r.target, rb.name, r.id);
  rec.action = r.action;
  rec.matched = r.planned;
  rec.changed = r.changed;
  rec.dry_run = dry_run;
  rec.result = result;
  if (dry_run) return audit.append_dry_run(rec);
  try {
    audit.append(rec);
  } catch (const Error& e) {  // the change is done: say so, and let the run (and its rollback) go on
    s.io().err << "opsctl: warning: " << util::redact(e.what()) << "\n";
  }
}

int run_runbook(Session& s, const RunFlags& f) {
  if (s.format() != output::Format::text && s.format() != output::Format::json) {
    throw usage_error("runbook run supports -o text and -o json");
  }
  s.report().json = {{"runbook", f.target}, {"status", nullptr}, {"steps", nullptr}};
  runbook::RunOptions o;
  for (const auto& p : f.params) o.params.push_back(runbook::parse_param_flag(p));
  o.dry_run = f.dry_run ? runbook::DryRun::yes : runbook::DryRun::no;
  if (!f.from_step.empty()) o.from_step = f.from_step;
  o.context = context_name(s);
  if (!f.resume.empty() && (!f.target.empty() || !f.from_step.empty())) {
    throw usage_error("--resume RUN_ID takes no runbook and no --from-step: the run knows both");
  }
  if (f.resume.empty() && f.target.empty()) throw usage_error("runbook run needs a runbook (or --resume RUN_ID)");
  runbook::Runbook rb = f.resume.empty() ? load_runbook(f.target, runbook_dirs(s, f.runbook_dir))
                                         : prepare_resume(s, f.resume, f.runbook_dir, o).rb;
  if (o.run_id.empty()) o.run_id = runbook::history::new_run_id(s.io().now_ms());

  const audit::Identity who = audit::identify(s.io().env);
  HistoryWriter history{s, history_path(s)};
  runbook::history::Start start{o.run_id, rb.name, rb.source, o.context, who.user, who.host, {}, {}, f.dry_run,
                                !f.resume.empty()};
  for (const auto& step : rb.steps) start.step_ids.push_back(step.id);
  {
    runbook::Scope bound = runbook::bind_params(rb, o.params);
    for (const auto& p : rb.params) {
      if (auto it = bound.param_text.find(p.name); it != bound.param_text.end()) start.params.emplace_back(p.name, it->second);
    }
  }
  history.write(runbook::history::start_record(start, s.io().now_ms()));

  IoPrompter prompter(s.io());
  mutation::Gate gate(session_consent(s), prompter);
  SessionAuditSink audit(s);
  runbook::Hooks hooks;
  hooks.confirm = [&](const runbook::Step& step, const runbook::StepReport& preview) {
    return confirm(gate, audit, rb, step, preview);
  };
  hooks.audit = [&](const runbook::StepReport& r, const std::string& result) {
    audit_fix(s, audit, rb, r, f.dry_run, result);
  };
  hooks.approve = [&](const runbook::Step& step, const std::string& message) {
    return approve(s, gate, prompter, rb, step, message);
  };
  hooks.record = [&](const runbook::StepReport& r) {
    history.write(runbook::history::step_record(o.run_id, r, s.io().now_ms()));
  };
  if (s.io().err_tty) {
    hooks.step_started = [&](const runbook::StepReport& r) { s.io().err << step_started_line(r); };
    hooks.step_finished = [&](const runbook::StepReport& r) { s.io().err << step_finished_line(r, s.color()); };
  }
  SessionActions actions(s);
  runbook::RunReport report = runbook::execute(rb, runbook::builtin_actions(), actions, o, hooks);
  history.write(runbook::history::end_record(report, s.io().now_ms()));

  if (s.format() == output::Format::json) {
    s.emit(output::json_document(runbook::to_json(report)));
  } else {
    s.emit(render_run(report, s.color()));
  }
  int code = report.exit_code;
  if (!f.transcript.empty()) {
    runbook::TranscriptInfo info{who.user, who.host, o.context, s.flags().command_line};
    try {
      output::write_file_atomic(f.transcript, runbook::transcript_markdown(report, info));
    } catch (const Error& e) {
      s.io().err << "opsctl: transcript: " << util::redact(e.what()) << "\n";
      if (code == 0) code = static_cast<int>(ExitCode::critical);
    }
  }
  if (!report.refusal.empty()) {
    s.io().err << fmt::format("opsctl: runbook {}: {}; nothing more was changed\n", rb.name, report.refusal);
  }
  if (!report.awaiting_approval.empty()) {
    s.io().err << fmt::format("opsctl: after approval, continue with: opsctl runbook run --resume {}\n", report.run_id);
  }
  return code;
}

}  // namespace

void add_runbook_run(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<RunFlags>();
  CLI::App* cmd = noun.add_subcommand("run", "diagnose, fix (after confirmation) and verify: one runbook");
  cmd->add_option("runbook", f->target, "runbook name (opsctl runbook list) or a YAML file");
  cmd->add_option("--param", f->params, "a parameter, key=value (repeatable)")->allow_extra_args(false);
  cmd->add_flag("--dry-run", f->dry_run, "diagnose and preview the fixes; change nothing");
  cmd->add_option("--from-step", f->from_step, "skip the fix and verify steps before this one (diagnoses still run)");
  cmd->add_option("--resume", f->resume,
                  "continue run RUN_ID (opsctl runbook history) after its last completed step; approves the step it "
                  "waits at");
  cmd->add_option("--transcript", f->transcript, "write a markdown record of the run to this file");
  add_runbook_dir_flag(*cmd, f->runbook_dir);
  reg.add(cmd, [f](Session& s) { return run_runbook(s, *f); });
}

}  // namespace opsctl::cmd
