#include "runbook/lint.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "runbook/lint_refs.h"
#include "runbook/template.h"
#include "util/duration.h"
#include "util/text.h"

namespace opsctl::runbook {
namespace {

using detail::RefContext;
using nlohmann::json;

bool has_placeholder(const json& v) {
  if (v.is_string()) return !Template::parse(v.get<std::string>()).references().empty();
  if (v.is_array() || v.is_object()) {
    return std::any_of(v.begin(), v.end(), [](const json& x) { return has_placeholder(x); });
  }
  return false;
}

// A literal argument of the wrong type (templated values are checked when the run renders them).
std::string literal_mismatch(const ArgSpec& spec, const json& v) {
  if (has_placeholder(v)) return "";
  switch (spec.type) {
    case ValueType::integer:
      if (v.is_number_integer() || (v.is_string() && util::parse_int(v.get<std::string>()))) return "";
      return "an integer";
    case ValueType::boolean:
      return v.is_boolean() ? "" : "true or false";
    case ValueType::list:
      return v.is_array() ? "" : "a list";
    case ValueType::object:
      return v.is_object() ? "" : "a map";
    case ValueType::command:
      return v.is_array() ? "" : "a list of words or a command parameter";
    case ValueType::duration:
      if (v.is_number_integer()) return "";
      try {
        if (v.is_string()) (void)util::parse_duration(v.get<std::string>());
        return v.is_string() ? "" : "a duration such as 30s";
      } catch (const Error&) {
        return "a duration such as 30s";
      }
    case ValueType::string:
      return v.is_string() || v.is_number() ? "" : "text";
    default:
      return "";
  }
}

void check_call(const RefContext& c, const ActionCall& call, std::string_view where) {
  RefContext at = c;
  at.line = call.action_line ? call.action_line : call.line;
  const ActionSpec* spec = c.registry->find(call.action);
  if (spec == nullptr) {
    std::string best = util::closest_match(call.action, c.registry->names());
    at.error(fmt::format("{}: unknown action '{}'{}; actions: {}", where, call.action,
                         best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best),
                         fmt::join(c.registry->names(), ", ")));
  }
  for (const auto& [name, value] : call.with.items()) {
    RefContext arg = c;
    arg.line = call.line_of(name);
    detail::check_value_refs(arg, value);
    if (spec == nullptr) continue;
    const ArgSpec* a = spec->arg(name);
    if (a == nullptr) {
      std::vector<std::string> names;
      for (const auto& s : spec->args) names.push_back(s.name);
      std::string best = util::closest_match(name, names);
      arg.error(fmt::format("action {} has no argument '{}'{}; arguments: {}", spec->name, name,
                            best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best), fmt::join(names, ", ")));
    } else if (std::string want = literal_mismatch(*a, value); !want.empty()) {
      arg.error(fmt::format("argument {} of {} must be {}, not {}", name, spec->name, want, value.dump()));
    }
  }
  if (spec == nullptr) return;
  for (const auto& a : spec->args) {
    if (a.required && !call.with.contains(a.name)) {
      at.error(fmt::format("{}: action {} needs argument {} ({})", where, spec->name, a.name, a.help));
    }
  }
}

void check_duration_template(const RefContext& c, const std::optional<std::string>& text, int line) {
  if (!text) return;
  RefContext at = c;
  at.line = line;
  for (const auto& ref : Template::parse(*text).references()) {
    auto type = detail::check_ref(at, ref);
    if (type && *type != "number" && !(ref.size() == 2 && ref[0] == "params")) {
      at.error(fmt::format("{{{}}} is not a duration", join_path(ref)));
    }
    if (ref.size() == 2 && ref[0] == "params") {
      const Param* p = c.rb->param(ref[1]);
      if (p && p->type != ParamType::duration) {
        at.error(fmt::format("parameter {} is a {}, not a duration", p->name, to_string(p->type)));
      }
    }
  }
}

void lint_step(const RefContext& base, const Step& s, std::vector<Diagnostic>& out) {
  RefContext c = base;
  c.line = s.line;
  check_call(c, s.call, fmt::format("step {}", s.id));
  const ActionSpec* spec = base.registry->find(s.call.action);
  if (s.when) detail::check_condition(c, *s.when);
  RefContext self = c;
  self.self = &s;
  if (s.until) detail::check_condition(self, *s.until);
  for (const auto& chk : s.checks) {
    detail::check_condition(self, chk.when);
    RefContext msg = self;
    msg.line = chk.line;
    detail::check_value_refs(msg, chk.message);
  }
  check_duration_template(c, s.timeout, s.timeout_line);
  if (s.retry) check_duration_template(c, s.retry->delay, s.retry->line);
  check_duration_template(c, s.interval, s.interval_line);
  if (s.rollback) {
    RefContext rb = c;
    rb.visible.push_back(s.id);  // a rollback runs after its step: it may read the step's findings
    check_call(rb, *s.rollback, fmt::format("rollback of step {}", s.id));
  }
  if (spec) {
    if (s.kind == StepKind::fix && spec->effect == Effect::reads && spec->name != "approve" && spec->name != "notify") {
      out.push_back({s.call.action_line, Level::warning,
                     fmt::format("step {} is a fix but {} changes nothing", s.id, spec->name)});
    }
    if (s.kind == StepKind::verify && !s.until && spec->effect != Effect::reads) {
      out.push_back({s.line, Level::warning,
                     fmt::format("verify step {} has no until: it passes when {} reports ok", s.id, spec->name)});
    }
  }
}

}  // namespace

const std::vector<std::string>& step_statuses() {
  static const std::vector<std::string> all{"ok",     "warning", "critical", "unknown", "failed", "skipped",
                                            "done",   "nothing-to-do", "dry-run", "refused", "passed", "not-run",
                                            "approved", "awaiting-approval"};
  return all;
}

std::vector<Diagnostic> lint(const Runbook& rb, const ActionRegistry& registry) {
  std::vector<Diagnostic> out;
  RefContext c;
  c.rb = &rb;
  c.registry = &registry;
  c.out = &out;
  bool any_fix = false, any_verify = false, any_rollback_body = false;
  for (const auto& s : rb.steps) {
    lint_step(c, s, out);
    any_fix = any_fix || s.kind == StepKind::fix;
    any_verify = any_verify || s.kind == StepKind::verify;
    any_rollback_body = any_rollback_body || s.rollback.has_value();
    if (s.on_failure == OnFailure::rollback && !any_rollback_body) {
      out.push_back({s.line, Level::warning,
                     fmt::format("step {} rolls back on failure, but no fix before it has a rollback", s.id)});
    }
    c.visible.push_back(s.id);
  }
  if (rb.notify) {  // the channel's arguments (the parser allows no others); the run sets text, event, level
    ActionCall channel = rb.notify->channel;
    channel.with["text"] = "-";
    check_call(c, channel, "notify");
  }
  if (any_fix && !any_verify) {
    out.push_back({1, Level::warning, "the runbook fixes but never verifies: add a verify step"});
  }
  if (!rb.comms.empty()) {
    RefContext comms = c;
    comms.run_info = true;
    comms.line = rb.comms_line;
    detail::check_value_refs(comms, rb.comms);
  }
  // A parameter nobody reads is a typo somewhere or dead weight.
  std::set<std::string> used;
  auto note = [&](const std::vector<RefPath>& refs) {
    for (const auto& r : refs) {
      if (r.size() == 2 && r[0] == "params") used.insert(r[1]);
    }
  };
  for (const auto& s : rb.steps) {
    note(value_references(s.call.with));
    if (s.rollback) note(value_references(s.rollback->with));
    for (const auto* cond : {s.when ? &*s.when : nullptr, s.until ? &*s.until : nullptr}) {
      if (cond) note(cond->expr.references());
    }
    for (const auto& chk : s.checks) {
      note(chk.when.expr.references());
      note(value_references(chk.message));
    }
    for (const auto* t : {s.timeout ? &*s.timeout : nullptr, s.interval ? &*s.interval : nullptr,
                          s.retry ? &s.retry->delay : nullptr}) {
      if (t) note(Template::parse(*t).references());
    }
  }
  note(value_references(rb.comms));
  if (rb.notify) note(value_references(rb.notify->channel.with));
  for (const auto& p : rb.params) {
    if (!used.count(p.name)) out.push_back({p.line, Level::warning, fmt::format("parameter {} is never used", p.name)});
  }
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) { return d.level == Level::error; });
}

std::string format_diagnostic(const Runbook& rb, const Diagnostic& d) {
  return fmt::format("{}:{}: {}: {}", rb.source, d.line, d.level == Level::error ? "error" : "warning", d.message);
}

}  // namespace opsctl::runbook
