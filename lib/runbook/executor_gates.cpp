// Runbooks 2.0 parts of a run: approve steps, parallel diagnoses, runbook-level notifications.
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "runbook/executor_run.h"
#include "util/redact.h"

namespace opsctl::runbook::detail {

void Run::approve(const Step& s, StepReport& r) {
  std::string message;
  try {
    message = util::redact(render_text(Template::parse(s.call.with.value("message", "")), scope_, Missing::empty));
  } catch (const std::exception& e) {
    r.status = "failed";
    r.error = util::redact(e.what());
    return;
  }
  r.summary = fmt::format("approval: {}", message);
  r.findings = {{"approved", false}, {"by", ""}};
  if (report_.dry_run) {
    r.status = "dry-run";
    r.note = "dry run: no approval asked";
    return;
  }
  Approval a;
  if (options_.approved_step == s.id) {
    a = {Approval::Answer::approved, options_.approved_by, ""};
  } else if (hooks_.approve) {
    a = hooks_.approve(s, message);
  } else {
    a.reason = "nobody to ask";
  }
  switch (a.answer) {
    case Approval::Answer::approved:
      r.status = "approved";
      r.findings = {{"approved", true}, {"by", a.by}};
      return;
    case Approval::Answer::declined:
      r.status = "refused";
      r.error = a.reason;
      report_.refusal = fmt::format("step {}: {}", s.id, a.reason);
      break;
    case Approval::Answer::pending:
      r.status = "awaiting-approval";
      r.error = a.reason;
      report_.awaiting_approval = s.id;
      report_.refusal = fmt::format("step {} waits for approval ({})", s.id, a.reason);
      break;
  }
  refused_ = true;
}

namespace {
// Actions that touch no client or lazy setting of the session: a parallel diagnose runs them in its
// own thread; the others take turns (the session's connections are not shared by threads).
bool runs_alone(const std::string& action) {
  static const std::set<std::string> own{"health.http", "exec", "wait", "lookup", "file.read", "notify"};
  return own.count(action) != 0;
}
}  // namespace

void Run::run_parallel(std::size_t first, std::size_t last) {
  std::vector<StepReport> reports;
  std::vector<bool> go;
  for (std::size_t i = first; i < last; ++i) {  // when: and --from-step in order, before any starts
    const Step& s = rb_.steps[i];
    StepReport r = start(s);
    bool runs = !(s.when && !condition(*s.when, nullptr, r, "when"));
    if (!runs && r.status != "failed") {
      r.status = "skipped";
      r.note = fmt::format("when: {} is false", s.when->expr.text());
    }
    go.push_back(runs);
    reports.push_back(std::move(r));
  }
  std::vector<Outcome> outcomes(reports.size());
  std::mutex shared;
  std::vector<std::thread> threads;
  for (std::size_t k = 0; k < reports.size(); ++k) {
    if (!go[k]) continue;
    const Step& s = rb_.steps[first + k];
    if (hooks_.step_started) hooks_.step_started(reports[k]);
    reports[k].started_ms = ctx_.now_ms();
    threads.emplace_back([&, k, &s = s] {
      const ActionSpec* spec = registry_.find(s.call.action);
      DryRun dry = spec && spec->effect == Effect::changes ? DryRun::yes : DryRun::no;
      std::unique_lock<std::mutex> lock(shared, std::defer_lock);
      if (!runs_alone(s.call.action)) lock.lock();
      outcomes[k] = attempt(s, dry, reports[k]);
      reports[k].duration_ms = ctx_.now_ms() - reports[k].started_ms;
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t k = 0; k < reports.size(); ++k) {  // checks, report and record in the runbook's order
    const Step& s = rb_.steps[first + k];
    if (go[k]) conclude(s, reports[k], outcomes[k]);
    settle(s, reports[k]);
  }
}

void Run::notify(const std::string& event, Status level, const std::string& text) {
  if (!rb_.notify || report_.dry_run) return;
  if (event == "start" && !rb_.notify->on_start) return;
  ActionCall call = rb_.notify->channel;
  call.with["event"] = event;
  call.with["level"] = std::string(to_string(level));
  call.with["fields"] = {{"runbook", rb_.name}, {"severity", rb_.severity}, {"run_id", options_.run_id}};
  // The text is already rendered: braces in it are not placeholders.
  std::string escaped;
  for (char c : text) escaped += (c == '{' || c == '}') ? std::string(2, c) : std::string(1, c);
  call.with["text"] = escaped;
  Outcome o = invoke(call, DryRun::no);
  bool sent = o.ok && o.result.findings.value("sent", false);
  report_.notifications.push_back({{"event", event}, {"sent", sent},
                                   {"summary", o.ok ? util::redact(o.result.summary) : o.error}});
}

void Run::notify_findings(const StepReport& r) {
  if (!rb_.notify || !rb_.notify->on_finding) return;
  Status level = *rb_.notify->on_finding;
  for (const auto& m : r.messages) {
    if (m.status == Status::ok || worst(m.status, level) != m.status) continue;
    notify("finding", m.status, fmt::format("[{}] runbook {}, step {}: {}: {}", rb_.severity, rb_.name, r.id,
                                            to_string(m.status), m.text));
  }
}

}  // namespace opsctl::runbook::detail
