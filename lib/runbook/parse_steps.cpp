// The runbook loader, steps: id, kind, action and with:, when/until, timeout/interval, on_failure,
// checks and rollback, with the rules of where each may appear.
#include "runbook/parse_util.h"
#include "runbook/template.h"
#include "util/duration.h"

namespace opsctl::runbook::detail {
namespace {

using nlohmann::json;

constexpr std::string_view kStepKeys =
    "id, title, kind, action, with, when, until, timeout, interval, on_failure, checks, rollback, retry, parallel";

StepKind step_kind(const Loader& l, const YAML::Node& key, const YAML::Node& v) {
  std::string k = l.text(key, v, "kind");
  if (k == "diagnose") return StepKind::diagnose;
  if (k == "fix") return StepKind::fix;
  if (k == "verify") return StepKind::verify;
  l.fail(Loader::line_of(key, v), fmt::format("kind \"{}\" is not one of diagnose, fix, verify", k));
}

OnFailure on_failure(const Loader& l, const YAML::Node& key, const YAML::Node& v) {
  std::string k = l.text(key, v, "on_failure");
  if (k == "stop") return OnFailure::stop;
  if (k == "continue") return OnFailure::proceed;
  if (k == "rollback") return OnFailure::rollback;
  l.fail(Loader::line_of(key, v), fmt::format("on_failure \"{}\" is not one of stop, continue, rollback", k));
}

void parse_with(const Loader& l, const YAML::Node& key, const YAML::Node& v, ActionCall& call) {
  if (v.IsNull()) return;
  if (!v.IsMap()) l.fail(Loader::line_of(key, v), "with must be a map of argument: value");
  l.each_pair(v, "in with", "", [&](const std::string& name, const YAML::Node& k, const YAML::Node& value) {
    int line = Loader::line_of(k, value);
    call.with[name] = l.to_json(value);
    call.with_lines.emplace_back(name, line);
    l.check_templates(line, call.with[name], fmt::format("with.{}", name));
  });
}

// A duration, or a template that the run renders to one ("{params.verify_timeout}").
std::string duration_text(const Loader& l, const YAML::Node& key, const YAML::Node& v, std::string_view field) {
  std::string s = l.text(key, v, field);
  l.check_templates(Loader::line_of(key, v), s, field);
  if (s.find('{') == std::string::npos) {
    try {
      if (util::parse_duration(s).count() <= 0) l.fail(Loader::line_of(key, v), fmt::format("{} must be above zero", field));
    } catch (const Error& e) {
      l.fail(Loader::line_of(key, v), fmt::format("{}: {}", field, e.what()));
    }
  }
  return s;
}

Check parse_check(const Loader& l, const YAML::Node& node) {
  Check c;
  c.line = Loader::line_of(node);
  if (!node.IsMap()) l.fail(c.line, "each check is a map with when, status and message");
  bool has_when = false, has_status = false;
  l.each_pair(node, "in a check", "when, status, message", [&](const std::string& k, const YAML::Node& key, const YAML::Node& v) {
    if (k == "when") {
      c.when = l.condition(key, v, "when");
      has_when = true;
    }
    if (k == "message") {
      c.message = l.text(key, v, "message");
      l.check_templates(Loader::line_of(key, v), c.message, "message");
    }
    if (k == "status") {
      std::string s = l.text(key, v, "status");
      has_status = true;
      if (s == "ok") c.status = Status::ok;
      else if (s == "warning") c.status = Status::warning;
      else if (s == "critical") c.status = Status::critical;
      else if (s == "unknown") c.status = Status::unknown;
      else l.fail(Loader::line_of(key, v), fmt::format("status \"{}\" is not one of ok, warning, critical, unknown", s));
    }
  });
  if (!has_when || !has_status || c.message.empty()) l.fail(c.line, "a check needs when, status and message");
  return c;
}

ActionCall parse_rollback(const Loader& l, const YAML::Node& key, const YAML::Node& v) {
  ActionCall call;
  call.line = Loader::line_of(key, v);
  if (!v.IsMap()) l.fail(call.line, "rollback must be a map with action and with");
  l.each_pair(v, "in rollback", "action, with", [&](const std::string& k, const YAML::Node& kk, const YAML::Node& vv) {
    if (k == "action") {
      call.action = l.text(kk, vv, "action");
      call.action_line = Loader::line_of(kk, vv);
    }
    if (k == "with") parse_with(l, kk, vv, call);
  });
  if (call.action.empty()) l.fail(call.line, "rollback needs an action");
  return call;
}

Retry parse_retry(const Loader& l, const YAML::Node& key, const YAML::Node& v) {
  Retry r;
  r.line = Loader::line_of(key, v);
  if (!v.IsMap()) l.fail(r.line, "retry must be a map with times and delay");
  bool has_times = false;
  l.each_pair(v, "in retry", "times, delay", [&](const std::string& k, const YAML::Node& kk, const YAML::Node& vv) {
    if (k == "times") {
      json n = l.to_json(vv);
      if (!n.is_number_integer() || n.get<std::int64_t>() < 1 || n.get<std::int64_t>() > 10) {
        l.fail(Loader::line_of(kk, vv), "retry.times must be an integer from 1 to 10");
      }
      r.times = n.get<int>();
      has_times = true;
    }
    if (k == "delay") r.delay = duration_text(l, kk, vv, "retry.delay");
  });
  if (!has_times) l.fail(r.line, "retry needs times");
  return r;
}

}  // namespace

Step parse_step(const Loader& l, const YAML::Node& node) {
  Step s;
  s.line = Loader::line_of(node);
  if (!node.IsMap()) l.fail(s.line, "each step is a map with id, kind and action");
  bool has_kind = false;
  int until_line = 0, checks_line = 0, rollback_line = 0, parallel_line = 0;
  l.each_pair(node, "in a step", kStepKeys, [&](const std::string& k, const YAML::Node& key, const YAML::Node& v) {
    int line = Loader::line_of(key, v);
    if (k == "id") s.id = l.text(key, v, "id");
    if (k == "title") s.title = l.text(key, v, "title", true);
    if (k == "kind") {
      s.kind = step_kind(l, key, v);
      has_kind = true;
    }
    if (k == "action") {
      s.call.action = l.text(key, v, "action");
      s.call.action_line = line;
    }
    if (k == "with") parse_with(l, key, v, s.call);
    if (k == "when") s.when = l.condition(key, v, "when");
    if (k == "until") {
      s.until = l.condition(key, v, "until");
      until_line = line;
    }
    if (k == "timeout") {
      s.timeout = duration_text(l, key, v, "timeout");
      s.timeout_line = line;
    }
    if (k == "interval") {
      s.interval = duration_text(l, key, v, "interval");
      s.interval_line = line;
    }
    if (k == "on_failure") s.on_failure = on_failure(l, key, v);
    if (k == "checks") {
      checks_line = line;
      if (!v.IsSequence()) l.fail(line, "checks must be a list");
      for (const auto& c : v) s.checks.push_back(parse_check(l, c));
    }
    if (k == "rollback") {
      s.rollback = parse_rollback(l, key, v);
      rollback_line = line;
    }
    if (k == "retry") s.retry = parse_retry(l, key, v);
    if (k == "parallel") {
      s.parallel = l.boolean(key, v, "parallel");
      parallel_line = line;
    }
  });
  s.call.line = s.line;
  if (s.id.empty()) l.fail(s.line, "a step needs an id");
  if (!is_name(s.id)) l.fail(s.line, fmt::format("step id \"{}\": use letters, digits, _ and -", s.id));
  if (!has_kind) l.fail(s.line, fmt::format("step {} needs a kind: diagnose, fix or verify", s.id));
  if (s.call.action.empty()) l.fail(s.line, fmt::format("step {} needs an action", s.id));
  std::string_view kind = to_string(s.kind);
  if (s.kind != StepKind::verify) {
    if (until_line) l.fail(until_line, fmt::format("until is for verify steps; step {} is {}", s.id, kind));
    if (s.timeout_line) l.fail(s.timeout_line, fmt::format("timeout is for verify steps; step {} is {}", s.id, kind));
    if (s.interval_line) l.fail(s.interval_line, fmt::format("interval is for verify steps; step {} is {}", s.id, kind));
  }
  if (s.kind != StepKind::diagnose && checks_line) {
    l.fail(checks_line, fmt::format("checks are for diagnose steps; step {} is {}", s.id, kind));
  }
  if (s.kind != StepKind::diagnose && parallel_line) {
    l.fail(parallel_line, fmt::format("parallel is for diagnose steps; step {} is {}", s.id, kind));
  }
  if (s.kind != StepKind::fix && rollback_line) {
    l.fail(rollback_line, fmt::format("rollback is for fix steps; step {} is {}", s.id, kind));
  }
  return s;
}

}  // namespace opsctl::runbook::detail

namespace opsctl::runbook::detail {

// notify: {url_env | url_file, shape, timeout, retries, on_start, on_finding, on_end}
NotifySpec parse_notify(const Loader& l, const YAML::Node& key, const YAML::Node& v) {
  NotifySpec n;
  n.line = Loader::line_of(key, v);
  n.channel.action = "notify";
  n.channel.line = n.channel.action_line = n.line;
  if (!v.IsMap()) l.fail(n.line, "notify must be a map (url_env or url_file, shape, on_start, on_finding, on_end)");
  l.each_pair(v, "in notify", "url_env, url_file, shape, timeout, retries, on_start, on_finding, on_end",
              [&](const std::string& k, const YAML::Node& kk, const YAML::Node& vv) {
                int line = Loader::line_of(kk, vv);
                if (k == "on_start") n.on_start = l.boolean(kk, vv, "on_start");
                else if (k == "on_end") n.on_end = l.boolean(kk, vv, "on_end");
                else if (k == "on_finding") {
                  std::string lvl = l.text(kk, vv, "on_finding");
                  if (lvl == "warning") n.on_finding = Status::warning;
                  else if (lvl == "critical") n.on_finding = Status::critical;
                  else if (lvl == "unknown") n.on_finding = Status::unknown;
                  else l.fail(line, fmt::format("on_finding \"{}\" is not one of warning, unknown, critical", lvl));
                } else {
                  n.channel.with[k] = l.to_json(vv);
                  n.channel.with_lines.emplace_back(k, line);
                  l.check_templates(line, n.channel.with[k], fmt::format("notify.{}", k));
                }
              });
  if (!n.channel.with.contains("url_env") && !n.channel.with.contains("url_file")) {
    l.fail(n.line, "notify needs url_env or url_file (the webhook URL is a secret: never in the runbook)");
  }
  return n;
}

}  // namespace opsctl::runbook::detail
