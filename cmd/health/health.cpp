// opsctl health: Redis and HTTP checks in parallel, for a shell, cron (Nagios, Prometheus) and CI (--wait).
#include <algorithm>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "cmd/health/http_flags.h"
#include "cmd/health/render.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "health/http_check.h"
#include "health/pg_check.h"
#include "health/redis_check.h"
#include "http/client.h"
#include "util/duration.h"
#include "util/redact.h"

namespace opsctl::cmd {
namespace {

struct HealthFlags {
  std::vector<std::string> redis;
  std::vector<std::string> http;
  std::vector<std::string> pg;
  std::string wait;
  std::string slow;
  HttpFlags http_options;
};

// Names must be unique: they label Prometheus series and Nagios perfdata.
std::string unique_name(std::set<std::string>& used, std::string name) {
  std::string candidate = name;
  for (int i = 2; used.count(candidate); ++i) candidate = fmt::format("{}#{}", name, i);
  used.insert(candidate);
  return candidate;
}

// Targets from the health flags (and a global --redis); else REDIS_URL; else the context.
std::vector<health::Check> build_checks(Session& s, const HealthFlags& f) {
  std::vector<health::Check> checks;
  std::set<std::string> names;
  auto timeout = s.timeout();
  auto slow = f.slow.empty() ? util::Millis(0) : util::parse_duration(f.slow);
  auto add_redis = [&](const std::string& url, std::string name, bool from_command_line) {
    redis::Target t = s.redis_target_for(url, from_command_line);
    health::RedisCheckSpec spec{unique_name(names, name.empty() ? "redis " + t.display() : name), t, timeout};
    checks.push_back([spec] { return health::check_redis(spec); });
  };
  auto add_pg = [&](const std::string& conninfo, std::string name, std::string source) {
    health::PgCheckSpec spec;
    spec.connect.conninfo = conninfo;
    spec.connect.source = std::move(source);
    spec.connect.timeout = timeout;
    spec.name = unique_name(names, name.empty() ? "postgres " + util::redact(conninfo) : name);
    checks.push_back([spec] { return health::check_pg(spec); });
  };
  auto add_http = [&](const config::HttpCheck* c, const std::string& url) {
    health::HttpCheckSpec spec;
    spec.name = unique_name(names, c ? c->name : util::redact(url));
    spec.url = url;
    spec.timeout = timeout;
    spec.slow = slow;
    apply_http_flags(s, f.http_options, c, spec);
    checks.push_back([spec] { return health::check_http(spec); });
  };
  std::vector<std::string> redis_urls = f.redis;
  if (!s.flags().redis.empty()) redis_urls.push_back(s.flags().redis);
  std::vector<std::string> pg_conninfos = f.pg;
  if (!s.flags().pg.empty()) pg_conninfos.push_back(s.flags().pg);
  bool from_flags = !redis_urls.empty() || !f.http.empty() || !pg_conninfos.empty();
  if (from_flags) {
    for (const auto& url : redis_urls) add_redis(url, "", true);
    for (const auto& c : pg_conninfos) add_pg(c, "", "--pg");
    for (const auto& url : f.http) add_http(nullptr, url);
    return checks;
  }
  auto redis_env = s.io().env("REDIS_URL");
  auto pg_env = s.io().env("DATABASE_URL");
  if ((redis_env && !redis_env->empty()) || (pg_env && !pg_env->empty())) {
    if (redis_env && !redis_env->empty()) add_redis(*redis_env, "", false);
    if (pg_env && !pg_env->empty()) add_pg(*pg_env, "postgres", "DATABASE_URL");
    return checks;
  }
  if (const config::Context* ctx = s.context()) {
    if (auto url = config::redis_url(s.config(), *ctx)) add_redis(*url, "redis", false);
    for (const auto& t : ctx->redis_checks) add_redis(t.url, t.name, false);
    if (ctx->pg) add_pg(*ctx->pg, "postgres", "context " + ctx->name);
    for (const auto& t : ctx->pg_checks) add_pg(t.url, t.name, "context " + ctx->name);
    for (const auto& c : ctx->http) add_http(&c, c.url);
  }
  if (checks.empty()) {
    throw usage_error("nothing to check: give --redis URL, --pg CONNINFO or --http URL (repeatable), set "
                      "REDIS_URL or DATABASE_URL, or use a context with redis, pg or http checks");
  }
  return checks;
}

std::string render(Session& s, const std::vector<health::CheckResult>& results) {
  switch (s.format()) {
    case output::Format::json: return health_json(results);
    case output::Format::nagios: return health_nagios(results);
    case output::Format::prom: return health_prom(results);
    case output::Format::text: break;
  }
  return health_text(results, s.color());
}

int run_health(Session& s, const HealthFlags& f) {
  s.report().json = {{"status", nullptr}, {"checks", nullptr}};
  http::init();  // before the checks run in parallel threads
  auto checks = build_checks(s, f);
  auto results = health::run_parallel(checks);
  if (!f.wait.empty()) {
    // Poll until everything is ok or the wait runs out, backing off from 250 ms to 2 s; the last
    // round runs at the deadline, so a service that comes up late in the window is still seen.
    auto deadline = std::chrono::steady_clock::now() + util::parse_duration(f.wait);
    auto pause = std::chrono::milliseconds(250);
    while (health::overall(results) != Status::ok) {
      auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (remaining.count() <= 0) break;
      if (s.io().err_tty) {
        std::vector<std::string> bad;
        for (const auto& r : results) if (r.status != Status::ok) bad.push_back(r.name);
        s.io().err << fmt::format("\r\033[Kwaiting for {}...", fmt::join(bad, ", ")) << std::flush;
      }
      std::this_thread::sleep_for(std::min(pause, remaining));
      pause = std::min(pause * 2, std::chrono::milliseconds(2000));
      results = health::run_parallel(checks);
    }
    if (s.io().err_tty) s.io().err << "\r\033[K" << std::flush;
  }
  s.emit(render(s, results));
  return static_cast<int>(exit_code(health::overall(results)));
}

}  // namespace

void register_health(CLI::App& app, Registry& reg) {
  auto f = std::make_shared<HealthFlags>();
  CLI::App* cmd = app.add_subcommand("health", "Redis, PostgreSQL and HTTP checks in parallel (cron, CI, shell)");
  cmd->add_option("--redis", f->redis, "Redis URL to check (repeatable)");
  cmd->add_option("--pg", f->pg, "PostgreSQL conninfo or URL to check (repeatable)");
  cmd->add_option("--http", f->http, "HTTP(S) URL to check (repeatable)");
  cmd->add_option("--wait", f->wait, "repeat until every check is ok or this duration runs out (e.g. 60s)");
  cmd->add_option("--slow", f->slow, "warn when a check takes at least this long (e.g. 500ms)");
  add_http_flags(cmd, f->http_options);
  reg.add(cmd, [f](Session& s) {
    if (!f->wait.empty()) util::parse_duration(f->wait);
    validate_http_flags(s, f->http_options);
    return run_health(s, *f);
  });
}

}  // namespace opsctl::cmd
