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

std::string read_answer(Io& io, const std::string& text) {
  io.err << text;
  io.err.flush();
  std::string answer;
  std::getline(io.in, answer);
  return answer;
}

int render(Session& s, const MutationSpec& spec, const mutation::Result& r) {
  if (s.format() == output::Format::json) {
    s.emit(output::json_document(mutation::to_json(r)));
  } else {
    std::string out = r.details_text;
    // The context is named with the target, so a preview never hides which cluster it is about.
    std::string ctx = context_name(s);
    std::string where = ctx.empty() ? spec.target : fmt::format("{} (context {})", spec.target, ctx);
    out += r.dry_run ? fmt::format("Dry run: would {} {} {} in {}.\n", spec.verb_phrase, r.matched,
                                   spec.noun_phrase, where)
                     : fmt::format("Done: {} {} of {} matched {} in {}.\n", spec.verb_phrase, r.changed, r.matched,
                                   spec.noun_phrase, where);
    if (!r.ids.empty()) out += fmt::format("Ids: {}\n", mutation::sample_text(r));
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

bool IoPrompter::ask_yes_no(const std::string& text) {
  const std::string answer = read_answer(io_, text);
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::string IoPrompter::ask_typed(const std::string& text) { return read_answer(io_, text); }

SessionAuditSink::SessionAuditSink(Session& s) : s_(s), path_(audit_path(s)) {}

audit::Record SessionAuditSink::stamped(audit::Record r) const {
  r.who = audit::identify(s_.io().env);
  r.context = context_name(s_);
  r.command_line = s_.flags().command_line;
  return r;
}

void SessionAuditSink::append(const audit::Record& r) { audit::append(path_, stamped(r)); }

void SessionAuditSink::append_dry_run(const audit::Record& r) {
  const std::string cause = audit::try_append(path_, stamped(r));
  if (cause.empty() || warned_) return;
  warned_ = true;
  s_.io().err << fmt::format("opsctl: warning: cannot write the audit log {}: {}; the dry run goes on\n", path_, cause);
}

void SessionAuditSink::check_writable() { audit::check_writable(path_); }

mutation::Consent session_consent(Session& s) {
  mutation::Consent c;
  c.yes = s.flags().yes;
  if (const config::Context* ctx = s.context()) {
    c.context = ctx->name;
    c.read_only = ctx->read_only;
    c.type_context = ctx->confirm;
  }
  return c;
}

std::string audit_path(Session& s) {
  if (!s.flags().audit_log.empty()) return s.flags().audit_log;
  if (auto env = s.io().env("OPSCTL_AUDIT_LOG"); env && !env->empty()) return *env;
  return audit::default_audit_path(s.io().env).string();
}

namespace {

void require_text_or_json(Session& s, const std::string& action) {
  if (s.format() == output::Format::nagios || s.format() == output::Format::prom) {
    throw usage_error(fmt::format("{} supports -o text and -o json", action));
  }
}

}  // namespace

MutationSpec mutation_spec(Session& s, const std::string& action) {
  require_text_or_json(s, action);
  MutationSpec spec;
  spec.action = action;
  return spec;
}

int run_mutation(Session& s, const MutationSpec& spec, const mutation::Plan& preview, const mutation::Apply& apply) {
  require_text_or_json(s, spec.action);  // again for a spec built by hand (db cancel, terminate)
  // Failing before the apply changes nothing: changed 0 is known, what would match is not.
  s.report().json = {{"action", spec.action}, {"target", spec.target}, {"dry_run", spec.dry_run},
                     {"matched", nullptr}, {"changed", 0}, {"ids", nlohmann::json::array()}};
  IoPrompter prompter(s.io());
  mutation::Gate gate(session_consent(s), prompter);
  SessionAuditSink audit(s);
  try {
    return render(s, spec, mutation::run(spec, gate, audit, preview, apply));
  } catch (const mutation::Interrupted& e) {
    // The document says how far it got too.
    nlohmann::json doc = mutation::to_json(e.partial());
    doc["interrupted"] = true;
    s.report().json = doc;
    throw;
  }
}

}  // namespace opsctl::cmd
