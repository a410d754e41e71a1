// The three kinds of step and the rollback, over one action invocation each (verify: several).
#include <algorithm>

#include <fmt/format.h>

#include "runbook/executor_run.h"
#include "util/duration.h"
#include "util/redact.h"

namespace opsctl::runbook::detail {

using nlohmann::json;
using std::chrono::milliseconds;

Run::Outcome Run::invoke(const ActionCall& call, DryRun dry) {
  Outcome o;
  const ActionSpec* spec = registry_.find(call.action);
  try {
    if (spec == nullptr) throw config_error(fmt::format("unknown action {}", call.action));
    if (!spec->run) throw config_error(fmt::format("action {} cannot run", call.action));
    Args args(call.action, render_args(call.with, scope_));
    o.result = spec->run(args, ctx_, dry);
    if (o.result.failed) {
      o.ok = false;
      o.error = o.result.error.empty() ? "the action failed" : o.result.error;
    }
  } catch (const Error& e) {
    o.ok = false;
    o.error = e.what();
    o.failure_status = e.code() == ExitCode::unknown ? Status::unknown : Status::critical;
  } catch (const std::exception& e) {  // RenderError, nlohmann::json errors, ...
    o.ok = false;
    o.error = e.what();
  }
  o.error = util::redact(o.error);
  return o;
}

Run::Outcome Run::attempt(const Step& s, DryRun dry, StepReport& r) {
  int times = s.retry ? s.retry->times : 0;
  for (int i = 0;; ++i) {
    Outcome o = invoke(s.call, dry);
    if (o.ok || i >= times) {
      if (s.retry) r.attempts = i + 1;
      return o;
    }
    try {
      ctx_.sleep_for(duration_setting(s.retry->delay, std::chrono::seconds(1)));
    } catch (const std::exception& e) {
      o.error = util::redact(fmt::format("{}; retry.delay: {}", o.error, e.what()));
      return o;
    }
  }
}

void Run::fill(StepReport& r, const Outcome& o) const {
  r.findings = o.result.findings;
  r.changed = o.result.changed;
  r.planned = o.result.planned;
  r.summary = util::redact(o.result.summary);
  r.target = util::redact(o.result.target);
  r.error = o.error;
  if (!o.ok) r.status = "failed";
}

bool Run::condition(const Condition& c, const json& findings, StepReport& r, const char* what) {
  scope_.data["findings"] = findings.is_null() ? json::object() : findings;
  bool value = false;
  try {
    value = c.expr.test(scope_.data);
  } catch (const EvalError& e) {
    r.status = "failed";
    r.error = fmt::format("{}: {}: {}", what, c.expr.text(), e.what());
  }
  scope_.data.erase("findings");
  return value;
}

milliseconds Run::duration_setting(const std::optional<std::string>& text, milliseconds fallback) {
  if (!text) return fallback;
  std::string s = render_text(Template::parse(*text), scope_);
  milliseconds d = util::parse_duration(s);
  return d.count() > 0 ? d : fallback;
}

void Run::diagnose(const Step& s, StepReport& r) {
  const ActionSpec* spec = registry_.find(s.call.action);
  DryRun dry = spec && spec->effect == Effect::changes ? DryRun::yes : DryRun::no;
  conclude(s, r, attempt(s, dry, r));
}

void Run::conclude(const Step& s, StepReport& r, const Outcome& o) {
  fill(r, o);
  if (!o.ok) {
    r.verdict = o.failure_status;
    return;
  }
  r.verdict = o.result.status;
  for (const auto& chk : s.checks) {
    bool hit = condition(chk.when, r.findings, r, "check");
    if (r.status == "failed") {
      r.verdict = Status::unknown;
      return;
    }
    if (!hit) continue;
    r.verdict = worst(r.verdict, chk.status);
    scope_.data["findings"] = r.findings;
    r.messages.push_back({chk.status, util::redact(render_text(Template::parse(chk.message), scope_, Missing::empty))});
    scope_.data.erase("findings");
  }
  r.status = std::string(to_string(r.verdict));
}

void Run::fix(const Step& s, StepReport& r) {
  const ActionSpec* spec = registry_.find(s.call.action);
  bool changes = spec && spec->effect != Effect::reads;
  auto audit = [&](const std::string& result) {
    if (hooks_.audit && changes) hooks_.audit(r, result);
  };
  if (report_.dry_run || changes) {
    Outcome preview = attempt(s, DryRun::yes, r);
    fill(r, preview);
    if (!preview.ok) {
      audit(fmt::format("failed: {}", preview.error));
      return;
    }
    if (changes && preview.result.planned == 0) {
      r.status = "nothing-to-do";
      audit(report_.dry_run ? "dry-run" : "ok: nothing to change");
      return;
    }
    if (report_.dry_run) {
      r.status = "dry-run";
      audit("dry-run");
      return;
    }
    Decision d = hooks_.confirm ? hooks_.confirm(s, r) : Decision{false, "no confirmation hook"};
    if (!d.proceed) {
      r.status = "refused";
      r.error = d.reason;
      refused_ = true;
      report_.refusal = fmt::format("step {}: {}", s.id, d.reason);
      audit(fmt::format("refused: {}", d.reason));
      return;
    }
  }
  Outcome done = attempt(s, DryRun::no, r);
  fill(r, done);
  if (!done.ok) {
    audit(fmt::format("failed: {}", done.error));
    return;
  }
  r.status = "done";
  audit("ok");
  if (s.rollback) undo_.push_back(&s);
}

void Run::verify(const Step& s, StepReport& r) {
  if (report_.dry_run) {
    r.status = "skipped";
    r.note = "dry run: nothing was changed to verify";
    return;
  }
  milliseconds timeout{}, interval{};
  try {
    timeout = duration_setting(s.timeout, std::chrono::seconds(60));
    interval = std::max(duration_setting(s.interval, std::chrono::seconds(1)), milliseconds(100));
  } catch (const std::exception& e) {
    r.status = "failed";
    r.error = util::redact(e.what());
    return;
  }
  const ActionSpec* spec = registry_.find(s.call.action);
  DryRun dry = spec && spec->effect == Effect::changes ? DryRun::yes : DryRun::no;
  std::int64_t deadline = ctx_.now_ms() + timeout.count();
  for (;;) {
    ++r.attempts;
    Outcome o = invoke(s.call, dry);
    fill(r, o);
    r.status = "running";
    bool passed = false;
    if (o.ok) {
      passed = s.until ? condition(*s.until, r.findings, r, "until") : o.result.status == Status::ok;
      if (r.status == "failed") return;  // a condition that cannot be evaluated will not improve
    }
    if (passed) {
      r.status = "passed";
      r.error.clear();
      return;
    }
    std::int64_t now = ctx_.now_ms();
    if (now >= deadline) {
      r.status = "failed";
      std::string what = s.until ? fmt::format("until: {} still false", s.until->expr.text())
                                 : fmt::format("{} still {}", s.call.action, to_string(o.result.status));
      r.error = fmt::format("{} after {} ({} checks){}", what, util::format_duration(timeout), r.attempts,
                            o.ok ? "" : "; last error: " + o.error);
      return;
    }
    ctx_.sleep_for(std::min(interval, milliseconds(deadline - now)));
  }
}

void Run::rollback() {
  rolled_back_ = true;
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    const Step& s = **it;
    StepReport r;
    r.id = s.id + ".rollback";
    r.title = fmt::format("roll back {}", s.id);
    r.action = s.rollback->action;
    r.kind = StepKind::fix;
    r.rollback_of = s.id;
    if (const ActionSpec* spec = registry_.find(r.action)) {
      for (const auto& f : spec->findings) r.finding_order.push_back(f.name);
    }
    if (hooks_.step_started) hooks_.step_started(r);
    r.started_ms = ctx_.now_ms();
    Outcome o = invoke(*s.rollback, DryRun::no);
    fill(r, o);
    if (o.ok) r.status = o.result.planned == 0 && o.result.changed == 0 ? "nothing-to-do" : "done";
    r.duration_ms = ctx_.now_ms() - r.started_ms;
    if (hooks_.audit) hooks_.audit(r, o.ok ? "ok" : fmt::format("failed: {}", o.error));
    report_.steps.push_back(r);
    if (hooks_.step_finished) hooks_.step_finished(r);
  }
  undo_.clear();
}

}  // namespace opsctl::runbook::detail
