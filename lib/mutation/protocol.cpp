#include "mutation/protocol.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"

namespace opsctl::mutation {
namespace {

// Asks for consent to spec over plan; true when given.
bool ask(Prompter& p, const Spec& spec, const Result& plan, const std::string& context) {
  std::string text = confirmation_text(spec, plan, context);
  if (spec.style == ConfirmStyle::type_name) {
    text += fmt::format("Type the queue name ({}) to confirm: ", spec.confirm_name);
    return p.ask_typed(text) == spec.confirm_name;
  }
  return p.ask_yes_no(text + "Proceed? [y/N] ");
}

// The refusal's audit line and error.
[[noreturn]] void refuse(AuditSink& audit, const Spec& spec, const Result& plan, Refusal why) {
  switch (why) {
    case Refusal::no_tty:
      audit.append(record(spec, plan, "refused: no --yes without a TTY"));
      throw refused_error(fmt::format("{}: refusing to change {} {} without confirmation: no TTY, pass --yes "
                                      "(or --dry-run to preview)", spec.action, plan.matched, spec.noun_phrase));
    case Refusal::declined:
      audit.append(record(spec, plan, "declined"));
      throw refused_error(fmt::format("{}: not confirmed; nothing changed", spec.action));
    case Refusal::context_not_typed:
    case Refusal::none:
      break;
  }
  audit.append(record(spec, plan, "declined: context name not typed"));
  throw refused_error(fmt::format("{}: context name not confirmed; nothing changed", spec.action));
}

}  // namespace

std::string sample_text(const Result& r) {
  return fmt::format("{}{}", fmt::join(r.ids, ", "), r.matched > static_cast<std::int64_t>(r.ids.size()) ? ", ..." : "");
}

audit::Record record(const Spec& spec, const Result& r, std::string result) {
  audit::Record rec;
  rec.target = spec.target;
  rec.action = spec.action;
  rec.selection = spec.noun_phrase;
  rec.matched = r.matched;
  rec.changed = r.changed;
  rec.dry_run = r.dry_run;
  rec.result = std::move(result);
  return rec;
}

std::string confirmation_text(const Spec& spec, const Result& plan, const std::string& context) {
  std::string text = plan.details_text;
  text += fmt::format("About to {} {} {} in {}{}.\n", spec.verb_phrase, plan.matched, spec.noun_phrase, spec.target,
                      context.empty() ? "" : fmt::format(" (context {})", context));
  if (!plan.ids.empty()) text += fmt::format("Sample ids: {}\n", sample_text(plan));
  return text;
}

Result run(const Spec& spec, Gate& gate, AuditSink& audit, const Plan& plan_fn, const Apply& apply) {
  const Consent& consent = gate.consent();
  if (consent.read_only) {
    audit.append(record(spec, {}, "refused: read_only context"));
    audit::guard_read_only(true, consent.context, spec.action);
  }
  Result plan = plan_fn();
  plan.dry_run = true;
  plan.changed = 0;
  if (spec.dry_run) {
    audit.append_dry_run(record(spec, plan, "dry-run"));
    return plan;
  }
  if (plan.matched == 0 && plan.results.empty() && !spec.apply_when_empty) {
    plan.dry_run = false;
    audit.append(record(spec, plan, "ok: nothing matched"));
    return plan;
  }
  const AskAlways always = spec.style == ConfirmStyle::type_name ? AskAlways::yes : AskAlways::no;
  const Refusal why = gate.approve(always, [&](Prompter& p) { return ask(p, spec, plan, consent.context); });
  if (why != Refusal::none) refuse(audit, spec, plan, why);
  audit.check_writable();
  Result done;
  try {
    done = apply();
  } catch (const Interrupted& e) {
    // Say how far it got, everywhere: the audit line, the caller's document, the one error line.
    Result partial = e.partial();
    partial.dry_run = false;
    audit.append(record(spec, partial, fmt::format("interrupted: {}", e.what())));
    const std::int64_t of = std::max(plan.matched, partial.matched);
    const std::string message =
        fmt::format("{}: interrupted after {} of {} {} changed: {}; the calls in flight when it stopped may have "
                    "applied too. Run the same command again to continue: it re-checks every job and changes "
                    "nothing twice",
                    spec.action, partial.changed, of, spec.noun_phrase, e.what());
    partial.matched = of;
    throw Interrupted(Error(e.code(), e.kind(), message), std::move(partial));
  } catch (const Error& e) {
    audit.append(record(spec, plan, std::string("failed: ") + e.what()));
    throw;
  }
  done.dry_run = false;
  audit.append(record(spec, done, "ok"));
  return done;
}

}  // namespace opsctl::mutation
