// The run loop and the outcome of a run; the steps themselves are in executor_steps.cpp.
#include "runbook/executor.h"

#include <fmt/format.h>

#include "runbook/executor_run.h"
#include "runbook/params.h"
#include "util/duration.h"
#include "util/redact.h"
#include "util/text.h"

namespace opsctl::runbook {
namespace detail {

using nlohmann::json;

Run::Run(const Runbook& rb, const ActionRegistry& registry, ActionContext& ctx, const RunOptions& options,
         const Hooks& hooks)
    : rb_(rb), registry_(registry), ctx_(ctx), options_(options), hooks_(hooks) {
  scope_ = bind_params(rb, options.params);
  if (options.from_step && rb.step(*options.from_step) == nullptr) {
    std::vector<std::string> ids;
    for (const auto& s : rb.steps) ids.push_back(s.id);
    std::string best = util::closest_match(*options.from_step, ids);
    throw usage_error(fmt::format("--from-step: runbook {} has no step '{}'{}; steps: {}", rb.name, *options.from_step,
                                  best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best), fmt::join(ids, ", ")));
  }
  report_.runbook = rb.name;
  report_.description = rb.description;
  report_.severity = rb.severity;
  report_.source = rb.source;
  report_.dry_run = options.dry_run == DryRun::yes;
  for (const auto& p : rb.params) {
    auto it = scope_.param_text.find(p.name);
    if (it != scope_.param_text.end()) report_.params.emplace_back(p.name, util::redact(it->second));
  }
  scope_.data["runbook"] = {{"name", rb.name}, {"severity", rb.severity}, {"description", rb.description}};
}

RunReport Run::execute() {
  report_.started_ms = ctx_.now_ms();
  report_.run_id = options_.run_id;
  if (options_.resumed.empty()) {
    notify("start", Status::ok, fmt::format("[{}] runbook {} started{}", rb_.severity, rb_.name,
                                            options_.context.empty() ? "" : " in context " + options_.context));
  }
  std::size_t i = 0;
  for (; i < rb_.steps.size() && i < options_.resumed.size(); ++i) {  // completed before --resume
    const Step& s = rb_.steps[i];
    StepReport r = options_.resumed[i];
    r.resumed = true;
    if (s.kind == StepKind::fix && r.status == "done" && s.rollback) undo_.push_back(&s);
    report_.steps.push_back(r);
    remember(r);
  }
  while (i < rb_.steps.size()) {
    std::size_t j = i;
    while (!stop_ && j < rb_.steps.size() && rb_.steps[j].parallel) ++j;
    if (j - i > 1) {
      run_parallel(i, j);
      i = j;
      continue;
    }
    const Step& s = rb_.steps[i++];
    StepReport r = start(s);
    if (!stop_) run_step(s, r);
    settle(s, r);
  }
  finish();
  return report_;
}

void Run::run_step(const Step& s, StepReport& r) {
  bool before_from = false;
  if (options_.from_step) {
    for (const auto& x : rb_.steps) {
      if (x.id == *options_.from_step) break;
      if (&x == &s) before_from = true;
    }
  }
  if (before_from && s.kind != StepKind::diagnose) {
    r.status = "skipped";
    r.note = fmt::format("before --from-step {}", *options_.from_step);
  } else if (s.when && !condition(*s.when, nullptr, r, "when")) {
    if (r.status != "failed") {
      r.status = "skipped";
      r.note = fmt::format("when: {} is false", s.when->expr.text());
    }
  } else {
    if (hooks_.step_started) hooks_.step_started(r);
    r.started_ms = ctx_.now_ms();
    if (s.call.action == "approve") {
      approve(s, r);
    } else {
      switch (s.kind) {
        case StepKind::diagnose: diagnose(s, r); break;
        case StepKind::fix: fix(s, r); break;
        case StepKind::verify: verify(s, r); break;
      }
    }
    r.duration_ms = ctx_.now_ms() - r.started_ms;
  }
}

void Run::settle(const Step& s, StepReport& r) {
  bool ran = r.status != "not-run";
  report_.steps.push_back(r);
  remember(r);
  if (!ran) return;
  if (hooks_.record) hooks_.record(r);
  if (hooks_.step_finished && r.status != "skipped") hooks_.step_finished(r);
  if (s.kind == StepKind::diagnose) notify_findings(r);
  if (refused_) {
    stop_ = true;
  } else if (r.status == "failed") {
    if (s.on_failure == OnFailure::rollback) rollback();
    stop_ = s.on_failure != OnFailure::proceed;
  }
}

StepReport Run::start(const Step& s) const {
  StepReport r;
  r.id = s.id;
  r.title = s.title;
  r.action = s.call.action;
  r.kind = s.kind;
  if (const ActionSpec* spec = registry_.find(s.call.action)) {
    for (const auto& f : spec->findings) r.finding_order.push_back(f.name);
  }
  return r;
}

void Run::remember(const StepReport& r) {
  scope_.data["steps"][r.id] = {{"status", r.status}, {"changed", r.changed}, {"planned", r.planned},
                                {"error", r.error},   {"summary", r.summary}, {"target", r.target},
                                {"findings", r.findings}};
}

void Run::finish() {
  report_.finished_ms = ctx_.now_ms();
  Status diagnosis = Status::ok;
  bool failed = false, dry_failed = false, verified = false, fixed = false;
  for (const auto& r : report_.steps) {
    if (r.kind == StepKind::diagnose && r.status != "skipped" && r.status != "not-run") {
      diagnosis = worst(diagnosis, r.verdict);
    }
    if (r.kind != StepKind::diagnose && r.status == "failed") (report_.dry_run ? dry_failed : failed) = true;
    if (r.kind == StepKind::verify && r.status == "passed") verified = true;
    if (r.kind == StepKind::fix && r.status == "done" && r.rollback_of.empty()) fixed = true;
  }
  report_.diagnosis = diagnosis;
  bool rollback_failed = false;
  for (const auto& r : report_.steps) rollback_failed = rollback_failed || (!r.rollback_of.empty() && r.status == "failed");
  if (refused_ && !report_.awaiting_approval.empty()) {
    report_.outcome = "awaiting-approval";
    report_.status = diagnosis;
    report_.exit_code = static_cast<int>(ExitCode::not_done);
  } else if (refused_) {
    report_.outcome = "refused";
    report_.status = diagnosis;
    report_.exit_code = static_cast<int>(ExitCode::not_done);
  } else {
    if (report_.dry_run) {
      report_.outcome = "dry-run";
      report_.status = dry_failed ? worst(diagnosis, Status::critical) : diagnosis;
    } else if (failed) {
      report_.outcome = rolled_back_ ? (rollback_failed ? "rollback-failed" : "rolled-back") : "failed";
      report_.status = Status::critical;
    } else if (fixed) {  // a verify that passes without a fix clears nothing: the diagnosis stands
      report_.outcome = verified ? "verified" : "fixed";
      report_.status = Status::ok;
    } else {
      report_.outcome = diagnosis == Status::ok ? "nothing-to-do" : "unresolved";
      report_.status = diagnosis;
    }
    report_.exit_code = static_cast<int>(exit_code(report_.status));
  }
  std::vector<std::string> parts;
  for (const auto& r : report_.steps) {
    if (r.status != "skipped" && r.status != "not-run" && r.status != "ok") parts.push_back(r.id + " " + r.status);
  }
  scope_.data["run"] = {
      {"status", std::string(to_string(report_.status))},
      {"outcome", report_.outcome},
      {"started_at", util::iso8601_utc(report_.started_ms)},
      {"duration", util::format_duration(std::chrono::milliseconds(report_.finished_ms - report_.started_ms))},
      {"dry_run", report_.dry_run ? "yes" : "no"},
      {"context", options_.context.empty() ? "none" : options_.context},
      {"summary", parts.empty() ? "all checks ok" : fmt::format("{}", fmt::join(parts, ", "))}};
  if (!rb_.comms.empty()) {
    try {
      report_.comms = util::redact(render_text(Template::parse(rb_.comms), scope_, Missing::empty));
    } catch (const std::exception& e) {
      report_.comms = fmt::format("(comms template: {})", e.what());
    }
  }
  if (rb_.notify && rb_.notify->on_end) {
    std::string text = !report_.comms.empty() ? report_.comms
                                             : fmt::format("[{}] runbook {}: {} ({})", rb_.severity, rb_.name,
                                                           to_string(report_.status), report_.outcome);
    notify("end", report_.status, text);
  }
}

}  // namespace detail

RunReport execute(const Runbook& rb, const ActionRegistry& registry, ActionContext& ctx, const RunOptions& options,
                  const Hooks& hooks) {
  return detail::Run(rb, registry, ctx, options, hooks).execute();
}

}  // namespace opsctl::runbook
