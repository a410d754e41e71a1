// notify: a JSON POST to a webhook (Slack-compatible incoming webhooks, or a generic shape). The URL is
// a secret (a Slack webhook's path is its credential): it comes from an environment variable or a
// file, and never appears in a summary, an error, a finding or the audit/history lines.
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "http/client.h"
#include "runbook/actions.h"
#include "util/redact.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(s.find_last_not_of(ws) + 1);
  s.erase(0, s.find_first_not_of(ws));
  return s;
}

std::string webhook_url(const Args& a, ActionContext& ctx) {
  if (a.has("url_env")) {
    std::string name = a.str("url_env");
    std::optional<std::string> v = ctx.env(name);
    if (!v || v->empty()) throw a.error("url_env", fmt::format("environment variable {} is not set", name));
    return trim(*v);
  }
  if (a.has("url_file")) {
    std::string path = a.str("url_file");
    std::ifstream in(path);
    if (!in) throw a.error("url_file", fmt::format("cannot read {}", path));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string url = trim(ss.str());
    if (url.empty()) throw a.error("url_file", fmt::format("{} is empty", path));
    return url;
  }
  throw a.error("url_env", "give url_env or url_file");
}

// Text with the URL (and its path, the usual credential) replaced, then redacted.
std::string scrub(std::string text, const std::string& url) {
  auto cut = [&](const std::string& secret) {
    if (secret.size() < 4) return;
    for (std::size_t pos; (pos = text.find(secret)) != std::string::npos;) text.replace(pos, secret.size(), "<webhook>");
  };
  cut(url);
  if (std::size_t scheme = url.find("://"); scheme != std::string::npos) {
    if (std::size_t slash = url.find('/', scheme + 3); slash != std::string::npos) cut(url.substr(slash));
  }
  return util::redact(text);
}

json body_of(const Args& a) {
  std::string shape = a.str_or("shape", "generic");
  std::string text = a.str("text");
  if (shape == "slack") return {{"text", text}};
  if (shape != "generic") throw a.error("shape", fmt::format("\"{}\" is not one of slack, generic", shape));
  json body = {{"text", text}, {"level", a.str_or("level", "info")}, {"event", a.str_or("event", "message")}};
  const json& fields = a.raw("fields");
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) body[k] = v;
  }
  return body;
}

ActionResult notify(const Args& a, ActionContext& ctx, DryRun dry) {
  json body = body_of(a);
  std::int64_t retries = a.integer_or("retries", 2);
  if (retries < 0 || retries > 10) throw a.error("retries", "must be from 0 to 10");
  auto timeout = a.duration_or("timeout", ctx.timeout());
  bool required = a.boolean_or("required", false);
  ActionResult out;
  out.target = a.has("url_env") ? fmt::format("webhook ${}", a.str("url_env")) : "webhook (url_file)";
  out.planned = 1;
  out.findings = {{"sent", false}, {"attempts", 0}, {"http_status", 0}, {"error", ""}};
  if (dry == DryRun::yes) {
    out.summary = fmt::format("would notify {}: {}", out.target, body.value("text", ""));
    return out;
  }
  std::string url = webhook_url(a, ctx);
  std::string error;
  std::int64_t attempts = 0;
  for (; attempts <= retries; ++attempts) {
    if (attempts > 0) ctx.sleep_for(a.duration_or("retry_delay", std::chrono::seconds(1)));
    http::Response r = http::post_json(url, body, {}, timeout);
    out.findings["http_status"] = r.status;
    if (r.ok() && r.status >= 200 && r.status < 300) {
      error.clear();
      ++attempts;
      break;
    }
    error = r.ok() ? fmt::format("HTTP {}", r.status) : scrub(r.error_text, url);
  }
  out.findings["attempts"] = attempts;
  out.findings["error"] = error;
  if (error.empty()) {
    out.findings["sent"] = true;
    out.changed = 1;
    out.summary = fmt::format("notified {} ({})", out.target, plural(attempts, "attempt", "attempts"));
    return out;
  }
  out.summary = fmt::format("notification to {} not sent after {}: {}", out.target,
                            plural(attempts, "attempt", "attempts"), error);
  out.status = Status::warning;
  if (required) {
    out.failed = true;
    out.error = out.summary;
  }
  return out;
}

}  // namespace

void add_notify(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"notify", "POST a JSON message to a webhook (Slack or generic); a failure fails the step only with required",
           Effect::reads,
           {{"url_env", V::string, false, "environment variable holding the webhook URL (a secret)"},
            {"url_file", V::string, false, "file holding the webhook URL (a secret)"},
            {"shape", V::string, false, "slack ({\"text\"}) or generic (text, level, event, fields; the default)"},
            {"text", V::string, true, "the message"},
            {"level", V::string, false, "generic: info, warning, critical"},
            {"event", V::string, false, "generic: what happened (start, finding, end, message)"},
            {"fields", V::object, false, "generic: more members of the body"},
            {"timeout", V::duration, false, "deadline of one attempt (default --timeout)"},
            {"retries", V::integer, false, "attempts after the first (default 2)"},
            {"retry_delay", V::duration, false, "pause between attempts (default 1s)"},
            {"required", V::boolean, false, "a notification not sent fails the step (default false)"}},
           {{"sent", V::boolean, "the webhook answered 2xx"},
            {"attempts", V::integer, "how many POSTs were made"},
            {"http_status", V::integer, "the last HTTP status (0: no answer)"},
            {"error", V::string, "why it was not sent (the URL never appears)"}},
           notify});
}

}  // namespace opsctl::runbook::actions
