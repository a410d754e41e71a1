#include "cmd/mutation.h"

#include <fmt/format.h>

#include "audit/audit.h"
#include "core/error.h"
#include "output/format.h"

namespace opsctl::cmd {
namespace {

std::string context_name(Session& s) {
  const config::Context* ctx = s.context();
  return ctx ? ctx->name : "";
}

audit::Record record(Session& s, const MutationSpec& spec, const queue::MutationResult& r, std::string result) {
  audit::Record rec;
  rec.who = audit::identify(s.io().env);
  rec.context = context_name(s);
  rec.command_line = s.flags().command_line;
  rec.target = spec.target;
  rec.action = spec.action;
  rec.selection = spec.noun_phrase;
  rec.matched = r.matched;
  rec.changed = r.changed;
  rec.dry_run = r.dry_run;
  rec.result = std::move(result);
  return rec;
}

// Asks on the terminal; true when the user agreed.
bool confirm(Session& s, const MutationSpec& spec, const queue::MutationResult& preview) {
  Io& io = s.io();
  std::string ctx = context_name(s);
  io.err << preview.details_text;
  io.err << fmt::format("About to {} {} {} in {}{}.\n", spec.verb_phrase, preview.matched, spec.noun_phrase,
                        spec.target, ctx.empty() ? "" : fmt::format(" (context {})", ctx));
  if (!preview.ids.empty()) {
    io.err << fmt::format("Sample ids: {}{}\n", fmt::join(preview.ids, ", "),
                          preview.matched > static_cast<std::int64_t>(preview.ids.size()) ? ", ..." : "");
  }
  std::string answer;
  if (spec.style == ConfirmStyle::type_name) {
    io.err << fmt::format("Type the queue name ({}) to confirm: ", spec.confirm_name);
    io.err.flush();
    std::getline(io.in, answer);
    return answer == spec.confirm_name;
  }
  io.err << "Proceed? [y/N] ";
  io.err.flush();
  std::getline(io.in, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

int render(Session& s, const MutationSpec& spec, const queue::MutationResult& r) {
  if (s.format() == output::Format::json) {
    s.emit(output::json_document(queue::to_json(r)));
  } else {
    std::string out = r.details_text;
    // The context is named with the target, so a preview never hides which cluster it is about.
    std::string ctx = context_name(s);
    std::string where = ctx.empty() ? spec.target : fmt::format("{} (context {})", spec.target, ctx);
    out += r.dry_run ? fmt::format("Dry run: would {} {} {} in {}.\n", spec.verb_phrase, r.matched,
                                   spec.noun_phrase, where)
                     : fmt::format("Done: {} {} of {} matched {} in {}.\n", spec.verb_phrase, r.changed, r.matched,
                                   spec.noun_phrase, where);
    if (!r.ids.empty()) out += fmt::format("Ids: {}{}\n", fmt::join(r.ids, ", "),
                                           r.matched > static_cast<std::int64_t>(r.ids.size()) ? ", ..." : "");
    for (const auto& x : r.results) {
      out += fmt::format("  {}: {}{}\n", x.id, x.result, x.reason.empty() ? "" : " (" + x.reason + ")");
    }
    for (const auto& p : r.problems) {
      out += fmt::format("  skipped{}: {}\n", p.id.empty() ? "" : " job " + p.id, p.problem);
    }
    s.emit(out);
  }
  // Some ids refused or skipped: the action did not fully do what was asked.
  bool partial = !r.problems.empty();
  for (const auto& x : r.results) partial = partial || !x.reason.empty();
  return static_cast<int>(partial && !r.dry_run ? ExitCode::critical : ExitCode::ok);
}

}  // namespace

std::string audit_path(Session& s) {
  if (!s.flags().audit_log.empty()) return s.flags().audit_log;
  if (auto env = s.io().env("OPSCTL_AUDIT_LOG"); env && !env->empty()) return *env;
  return audit::default_audit_path(s.io().env).string();
}

void audit_dry_run(Io& io, const std::string& path, const audit::Record& rec, bool& warned) {
  const std::string cause = audit::try_append(path, rec);
  if (cause.empty() || warned) return;
  warned = true;
  io.err << fmt::format("opsctl: warning: cannot write the audit log {}: {}; the dry run goes on\n", path, cause);
}

int run_mutation(Session& s, const MutationSpec& spec, const std::function<queue::MutationResult()>& preview,
                 const std::function<queue::MutationResult()>& apply) {
  if (s.format() == output::Format::nagios || s.format() == output::Format::prom) {
    throw usage_error(fmt::format("{} supports -o text and -o json", spec.action));
  }
  // Failing before the apply changes nothing: changed 0 is known, what would match is not.
  s.report().json = {{"action", spec.action}, {"target", spec.target}, {"dry_run", spec.dry_run},
                     {"matched", nullptr}, {"changed", 0}, {"ids", nlohmann::json::array()}};
  const config::Context* ctx = s.context();
  std::string path = audit_path(s);
  if (ctx && ctx->read_only) {
    audit::append(path, record(s, spec, {}, "refused: read_only context"));
    audit::guard_read_only(true, ctx->name, spec.action);
  }
  queue::MutationResult plan = preview();
  plan.dry_run = true;
  plan.changed = 0;
  if (spec.dry_run) {
    bool warned = false;
    audit_dry_run(s.io(), path, record(s, spec, plan, "dry-run"), warned);
    return render(s, spec, plan);
  }
  if (plan.matched == 0 && plan.results.empty() && !spec.apply_when_empty) {
    plan.dry_run = false;
    audit::append(path, record(s, spec, plan, "ok: nothing matched"));
    return render(s, spec, plan);
  }
  Io& io = s.io();
  bool needs_prompt = !s.flags().yes || spec.style == ConfirmStyle::type_name;
  if (needs_prompt) {
    bool tty = io.in_tty && io.err_tty;
    if (!tty && !s.flags().yes) {
      audit::append(path, record(s, spec, plan, "refused: no --yes without a TTY"));
      throw refused_error(fmt::format("{}: refusing to change {} {} without confirmation: no TTY, pass --yes "
                                      "(or --dry-run to preview)", spec.action, plan.matched, spec.noun_phrase));
    }
    if (tty && !confirm(s, spec, plan)) {
      audit::append(path, record(s, spec, plan, "declined"));
      throw refused_error(fmt::format("{}: not confirmed; nothing changed", spec.action));
    }
  }
  // A context marked `confirm: true` (production): on a terminal the user also types its name, even
  // with --yes, so a mutation never lands on the wrong cluster by a stale current-context.
  if (ctx && ctx->confirm && io.in_tty && io.err_tty) {
    io.err << fmt::format("Context {} asks for confirmation: type its name to continue: ", ctx->name);
    io.err.flush();
    std::string answer;
    std::getline(io.in, answer);
    if (answer != ctx->name) {
      audit::append(path, record(s, spec, plan, "declined: context name not typed"));
      throw refused_error(fmt::format("{}: context name not confirmed; nothing changed", spec.action));
    }
  }
  audit::check_writable(path);
  queue::MutationResult done;
  try {
    done = apply();
  } catch (const queue::Interrupted& e) {
    // Say how far it got, everywhere: the audit line, the JSON document, the one error line.
    queue::MutationResult partial = e.partial();
    partial.action = spec.action;
    partial.target = spec.target;
    partial.dry_run = false;
    const std::int64_t of = std::max(plan.matched, partial.matched);
    audit::append(path, record(s, spec, partial, fmt::format("interrupted: {}", e.what())));
    nlohmann::json doc = queue::to_json(partial);
    doc["matched"] = of;
    doc["interrupted"] = true;
    s.report().json = doc;
    throw Error(e.code(), e.kind(),
                fmt::format("{}: interrupted after {} of {} {} changed: {}; the calls in flight when it stopped "
                            "may have applied too. Run the same command again to continue: it re-checks every job "
                            "and changes nothing twice",
                            spec.action, partial.changed, of, spec.noun_phrase, e.what()));
  } catch (const Error& e) {
    audit::append(path, record(s, spec, plan, std::string("failed: ") + e.what()));
    throw;
  }
  done.dry_run = false;
  audit::append(path, record(s, spec, done, "ok"));
  return render(s, spec, done);
}

}  // namespace opsctl::cmd
