// health.http and health.redis: the checks of `opsctl health`, one target each.
#include <fmt/format.h>

#include "health/http_check.h"
#include "health/redis_check.h"
#include "runbook/actions.h"
#include "util/redact.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

void common_findings(ActionResult& out, const health::CheckResult& r) {
  out.status = r.status;
  out.target = r.target;
  out.summary = fmt::format("{}: {} ({})", r.target, to_string(r.status), r.message);
  out.findings["status"] = std::string(to_string(r.status));
  out.findings["healthy"] = r.status == Status::ok;
  out.findings["message"] = r.message;
  out.findings["latency_ms"] = static_cast<std::int64_t>(r.latency_ms);
}

ActionResult http(const Args& a, ActionContext& ctx, DryRun) {
  health::HttpCheckSpec spec;
  spec.name = "http";
  spec.url = a.str("url");
  spec.timeout = a.duration_or("timeout", ctx.timeout());
  spec.expect_status = static_cast<int>(a.integer_or("expect_status", 0));
  spec.expect_body = a.str_or("expect_body", "");
  spec.follow_redirects = a.boolean_or("follow_redirects", false);
  spec.insecure = a.boolean_or("insecure", false);
  spec.cacert = a.str_or("cacert", "");
  try {
    if (!spec.expect_body.empty()) health::validate_body_pattern(spec.expect_body);
  } catch (const Error& e) {
    throw a.error("expect_body", e.what());
  }
  try {
    if (a.has("expect_json")) spec.expect_json.push_back(health::parse_json_expectation(a.str("expect_json")));
  } catch (const Error& e) {
    throw a.error("expect_json", e.what());
  }
  health::CheckResult r = health::check_http(spec);
  r.target = util::redact(spec.url);
  ActionResult out;
  common_findings(out, r);
  out.findings["url"] = r.target;
  out.findings["http_status"] = r.details.contains("status_code") ? r.details["status_code"] : json(nullptr);
  return out;
}

ActionResult redis_check(const Args& a, ActionContext& ctx, DryRun) {
  health::RedisCheckSpec spec;
  spec.name = "redis";
  spec.target = ctx.redis_target(a.str_or("url", ""));
  spec.timeout = ctx.timeout();
  spec.warn_pct = static_cast<int>(a.integer_or("warn_pct", spec.warn_pct));
  spec.crit_pct = static_cast<int>(a.integer_or("crit_pct", spec.crit_pct));
  health::CheckResult r = health::check_redis(spec);
  ActionResult out;
  common_findings(out, r);
  for (const char* k : {"role", "version", "used_memory", "maxmemory", "memory_pct", "maxmemory_policy",
                        "connected_clients", "maxclients"}) {
    out.findings[k] = r.details.contains(k) ? r.details[k] : json(nullptr);
  }
  std::string policy = r.details.value("maxmemory_policy", "");
  out.findings["evicts_keys"] = !policy.empty() && policy != "noeviction";
  return out;
}

std::vector<FindingSpec> common_specs() {
  using V = ValueType;
  return {{"status", V::string, "ok, warning, critical or unknown"},
          {"healthy", V::boolean, "status is ok"},
          {"message", V::string, "what the check found, in one line"},
          {"latency_ms", V::integer, "time the check took"}};
}

}  // namespace

void add_health(ActionRegistry& reg) {
  using V = ValueType;
  auto http_findings = common_specs();
  http_findings.push_back({"url", V::string, "the URL checked (password redacted)"});
  http_findings.push_back({"http_status", V::integer, "the HTTP status code; null when no answer"});
  reg.add({"health.http", "an HTTP health check (as health --http)", Effect::reads,
           {{"url", V::string, true, "URL to GET"},
            {"expect_status", V::integer, false, "status code that passes (default any 2xx)"},
            {"expect_body", V::string, false, "ECMAScript regex the body must contain"},
            {"expect_json", V::string, false, "PATH=VALUE the JSON body must hold (as --expect-json)"},
            {"insecure", V::boolean, false, "do not verify TLS certificates (default false)"},
            {"cacert", V::string, false, "CA certificate file (PEM) for HTTPS"},
            {"timeout", V::duration, false, "deadline (default --timeout)"},
            {"follow_redirects", V::boolean, false, "follow redirects (default false)"}},
           http_findings, http});
  auto redis_findings = common_specs();
  for (auto [name, type, help] : {std::tuple{"role", V::string, "master or replica"},
                                  std::tuple{"version", V::string, "Redis version"},
                                  std::tuple{"used_memory", V::integer, "bytes used"},
                                  std::tuple{"maxmemory", V::integer, "maxmemory in bytes; 0 when unlimited"},
                                  std::tuple{"memory_pct", V::number, "used_memory of maxmemory, in %; null when unlimited"},
                                  std::tuple{"maxmemory_policy", V::string, "eviction policy"},
                                  std::tuple{"evicts_keys", V::boolean, "the policy is not noeviction: BullMQ can lose jobs"},
                                  std::tuple{"connected_clients", V::integer, "clients connected"},
                                  std::tuple{"maxclients", V::integer, "client limit"}}) {
    redis_findings.push_back({name, type, help});
  }
  reg.add({"health.redis", "a Redis health check: memory, eviction policy, clients, replication (as health --redis)",
           Effect::reads,
           {{"url", V::string, false, "Redis URL (default: the --redis of the run)"},
            {"warn_pct", V::integer, false, "warning at this % of maxmemory or maxclients (default 80)"},
            {"crit_pct", V::integer, false, "critical at this % (default 95)"}},
           redis_findings, redis_check});
  add_health_pg(reg);
}

}  // namespace opsctl::runbook::actions
