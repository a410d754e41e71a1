#include "cmd/session.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

#include "core/error.h"
#include "output/monitoring.h"
#include "output/prom_catalog.h"
#include "queue/postgres/store.h"
#include "queue/redis/store.h"
#include "util/duration.h"
#include "util/redact.h"

namespace opsctl::cmd {

Io process_io() {
  return Io{std::cout,
            std::cerr,
            std::cin,
            isatty(STDOUT_FILENO) == 1,
            isatty(STDERR_FILENO) == 1,
            isatty(STDIN_FILENO) == 1,
            [](const std::string& name) -> std::optional<std::string> {
              const char* v = std::getenv(name.c_str());
              if (v == nullptr) return std::nullopt;
              return std::string(v);
            },
            [] {
              return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
            }};
}

Session::Session(const GlobalOptions& flags, Io& io) : flags_(flags), io_(io) {
  format_ = output::parse_format(flags_.output);
  if (!flags_.prom_file.empty()) format_ = output::Format::prom;
  auto no_color_env = io_.env("NO_COLOR");
  auto term = io_.env("TERM");
  color_ = io_.out_tty && !flags_.no_color && !(no_color_env && !no_color_env->empty()) &&
           !(term && *term == "dumb");
  timeout_ = flags_.timeout.empty() ? std::chrono::milliseconds(5000) : util::parse_duration(flags_.timeout);
  if (timeout_.count() <= 0) throw usage_error("--timeout must be greater than zero");
}

std::filesystem::path Session::config_path() const {
  if (!flags_.config.empty()) return flags_.config;
  if (auto env = io_.env("OPSCTL_CONFIG"); env && !env->empty()) return *env;
  return config::default_config_path(io_.env);
}

const config::Config& Session::config() {
  if (!config_) {
    bool explicit_path = !flags_.config.empty() || io_.env("OPSCTL_CONFIG").has_value();
    config_ = config::load_config(config_path(), explicit_path);
    if (config::holds_secret(*config_)) warn_secret_file(config_->path);
  }
  return *config_;
}

const config::Context* Session::context() {
  std::optional<std::string> name;
  if (!flags_.context.empty()) name = flags_.context;
  return config::select_context(config(), name);
}

std::string Session::queue_backend() {
  std::string b = "redis";
  if (!flags_.queue_backend.empty()) b = flags_.queue_backend;
  else if (auto env = io_.env("OPSCTL_QUEUE_BACKEND"); env && !env->empty()) b = *env;
  else if (const auto* ctx = context(); ctx && ctx->queue_backend) b = *ctx->queue_backend;
  if (b != "redis" && b != "postgres") {
    throw usage_error(fmt::format("unknown queue backend '{}'; backends: redis, postgres", b));
  }
  return b;
}

// On the PostgreSQL backend the namespace of the queues is BullMQ's schema: --prefix names it when
// given, else the context's queue_schema, else BullMQ's default.
std::string Session::prefix() {
  if (queue_backend() == "postgres") {
    if (!flags_.prefix.empty()) return flags_.prefix;
    if (const auto* ctx = context(); ctx && ctx->queue_schema) return *ctx->queue_schema;
    return queue::kDefaultPgSchema;
  }
  if (!flags_.prefix.empty()) return flags_.prefix;
  if (auto env = io_.env("OPSCTL_PREFIX"); env && !env->empty()) return *env;
  if (const auto* ctx = context(); ctx && ctx->prefix) return *ctx->prefix;
  return "bull";
}

// Resolved once per run: what names the target in messages is what the client connects to, and a
// password file is read once.
redis::Target Session::redis_target() {
  if (redis_target_) return *redis_target_;
  redis::Target t;
  if (!flags_.redis.empty()) {
    t = redis_target_for(flags_.redis, true);
  } else if (auto env = io_.env("REDIS_URL"); env && !env->empty()) {
    t = redis_target_for(*env, false);
  } else if (const config::Context* ctx = context(); ctx && config::redis_url(config(), *ctx)) {
    t = redis_target_for(*config::redis_url(config(), *ctx), false);
  } else {
    t = redis_target_for("redis://127.0.0.1:6379", false);
  }
  const bool tls_flag = !flags_.tls_ca.empty() || !flags_.tls_cert.empty() || !flags_.tls_key.empty() ||
                        !flags_.tls_server_name.empty() || flags_.tls_insecure;
  if (tls_flag && !t.tls.enabled) {
    throw usage_error(fmt::format("the --tls-* flags are for a TLS connection, and Redis {} is plain: use a rediss:// "
                                  "URL (or tls: true in the context)",
                                  t.display()));
  }
  redis_target_ = t;
  return t;
}

namespace {

// The context's own Redis URL (config::redis_url) for comparing, nullopt when its fields conflict
// (the run that uses them stops with that usage error; a URL given elsewhere is not the context's).
std::optional<std::string> context_redis_url(const config::Config& cfg, const config::Context& ctx) {
  try {
    return config::redis_url(cfg, ctx);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

redis::Target Session::redis_target_for(const std::string& url, bool from_command_line) {
  redis::Target t = redis::parse_target(url);
  if (t.password_in_url && from_command_line && !warned_password_in_url_) {
    warned_password_in_url_ = true;
    io_.err << "opsctl: warning: the password in --redis is visible in ps and shell history; "
               "prefer REDIS_PASSWORD or a context's redis_password_file\n";
  }
  const config::Context* ctx = context();
  // A password not in the URL: the environment, else the context's password file.
  auto secret = [&](const char* env_name, const std::optional<std::string>& file) -> std::optional<std::string> {
    if (auto env = io_.env(env_name); env && !env->empty()) return *env;
    if (file) {
      warn_secret_file(*file);
      return config::read_password_file(*file);
    }
    return std::nullopt;
  };
  if (!t.password) t.password = secret("REDIS_PASSWORD", ctx ? ctx->redis_password_file : std::nullopt);
  if (!t.sentinel.nodes.empty()) {
    t.sentinel.password = secret("REDIS_SENTINEL_PASSWORD", ctx ? ctx->sentinel_password_file : std::nullopt);
  }
  // `tls: true` is about the context's own Redis; TLS material: the flags, else the context's fields.
  if (ctx && ctx->tls && url == context_redis_url(config(), *ctx)) t.tls.enabled = true;
  if (ctx && ctx->cluster && url == context_redis_url(config(), *ctx)) t.cluster = true;
  auto pick = [&](const std::string& flag, const std::optional<std::string>& field) {
    return !flag.empty() ? flag : field.value_or("");
  };
  t.tls.ca_file = pick(flags_.tls_ca, ctx ? ctx->tls_ca : std::nullopt);
  t.tls.cert_file = pick(flags_.tls_cert, ctx ? ctx->tls_cert : std::nullopt);
  t.tls.key_file = pick(flags_.tls_key, ctx ? ctx->tls_key : std::nullopt);
  t.tls.server_name = pick(flags_.tls_server_name, ctx ? ctx->tls_server_name : std::nullopt);
  t.tls.insecure = flags_.tls_insecure || (ctx && ctx->tls_insecure);
  if (t.tls.enabled && !t.tls.key_file.empty()) warn_secret_file(t.tls.key_file);
  if (t.tls.enabled && t.tls.insecure && !warned_tls_insecure_) {
    warned_tls_insecure_ = true;
    io_.err << fmt::format("opsctl: warning: TLS to redis {} is not verified (--tls-insecure): the server is not "
                           "checked to be who it says\n",
                           t.display());
  }
  return t;
}

redis::Client& Session::redis() {
  if (!redis_) {
    redis::ConnectOptions options;
    options.connect_timeout = timeout_;
    options.command_timeout = timeout_;
    redis_ = std::make_unique<redis::Client>(redis::Client::connect(redis_target(), options));
  }
  return *redis_;
}

queue::QueueStore& Session::queues() {
  if (!queues_) queues_ = queue_backend() == "postgres" ? queue::postgres_store(pg()) : queue::redis_store(redis());
  return *queues_;
}

pg::ConnectOptions Session::pg_options() {
  pg::ConnectOptions o;
  o.timeout = timeout_;
  if (!flags_.pg.empty()) {
    o.conninfo = flags_.pg;
    o.source = "--pg";
    if (!pg_password_warned_ && pg::conninfo_has_password(o.conninfo)) {
      pg_password_warned_ = true;
      io_.err << "opsctl: warning: the password in --pg is visible in ps and shell history; "
                 "prefer PGPASSWORD, ~/.pgpass or a service file\n";
    }
  } else if (auto env = io_.env("DATABASE_URL"); env && !env->empty()) {
    o.conninfo = *env;
    o.source = "DATABASE_URL";
  } else if (const auto* ctx = context(); ctx && ctx->pg) {
    o.conninfo = *ctx->pg;
    o.source = fmt::format("context {}", ctx->name);
  } else {
    o.source = "libpq defaults (PGHOST, PGDATABASE, PGSERVICE...)";
  }
  return o;
}

std::string Session::pg_display() {
  pg::ConnectOptions o = pg_options();
  pg::validate_conninfo(o.conninfo, o.source);
  return pg::describe_conninfo(o.conninfo);
}

pg::Connection& Session::pg() {
  if (!pg_) pg_ = std::make_unique<pg::Connection>(pg::Connection::connect(pg_options()));
  return *pg_;
}

void Session::warn_secret_file(const std::filesystem::path& path) {
  if (auto warning = secret_files_.check(path)) io_.err << "opsctl: warning: " << *warning << "\n";
}

void Session::about_queue(const std::string& prefix, const std::string& queue, nlohmann::json fields) {
  const bool on_pg = queue_backend() == "postgres";
  report_.up_metric = on_pg ? "opsctl_pg_up" : "opsctl_redis_up";
  report_.labels["command"] = flags_.command;
  report_.labels["prefix"] = prefix;
  if (!queue.empty()) report_.labels["queue"] = queue;
  nlohmann::json doc = nlohmann::json::object();
  if (!queue.empty()) doc["queue"] = queue;
  doc["prefix"] = prefix;
  doc["status"] = nullptr;
  for (auto& [k, v] : fields.items()) doc[k] = v;
  report_.json = std::move(doc);
  report_.labels["target"] = on_pg ? pg_display() : redis_target().display();  // last: a bad URL still leaves the rest
}

// The run's own metrics: whether it reached a verdict, when, and whether its target answered.
std::string run_metrics(const RunReport& report, const GlobalOptions& flags, long long now_ms, const Error* failure) {
  output::PromLabels run = report.labels;
  run["command"] = flags.command;
  if (!flags.prom_file.empty()) run["file"] = std::filesystem::path(flags.prom_file).filename().string();
  output::PromSet out;
  output::PromLabels success = run;
  if (failure) success["error"] = to_string(failure->kind());
  out.add("opsctl_check_success", success, failure ? 0.0 : 1.0);
  out.add("opsctl_last_run_timestamp_seconds", run, static_cast<double>(now_ms) / 1000.0);
  if (!report.up_metric.empty()) {
    output::PromLabels up = report.labels;
    const bool is_up = !failure && report.up;
    if (failure) up["error"] = to_string(failure->kind());
    else if (!is_up && report.down_because) up["error"] = to_string(*report.down_because);
    out.add(report.up_metric, up, is_up ? 1.0 : 0.0);
  }
  return out.exposition();
}

void Session::emit(const std::string& text) {
  const std::string doc = format_ == output::Format::prom ? text + run_metrics(report_, flags_, io_.now_ms(), nullptr) : text;
  if (!flags_.prom_file.empty()) {
    output::write_file_atomic(flags_.prom_file, doc);
    return;
  }
  io_.out << doc;
  io_.out.flush();
}

}  // namespace opsctl::cmd
