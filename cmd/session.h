#pragma once
// The resolved settings of one invocation (flag > environment > context > default) and the lazy
// clients built from them. A command that never touches Redis never connects to it.
#include <chrono>
#include <memory>
#include <map>
#include <optional>
#include <string>

#include "cmd/io.h"
#include "config/config.h"
#include "core/error.h"
#include "output/format.h"
#include "pg/connection.h"
#include "queue/store.h"
#include "redis/client.h"
#include "util/secret_file.h"

namespace opsctl::cmd {

// Global flags exactly as typed; unset ones are empty.
struct GlobalOptions {
  std::string redis;
  std::string prefix;
  std::string pg;
  std::string queue_backend;
  std::string context;
  std::string config;
  std::string timeout;
  std::string output = "text";
  std::string prom_file;
  std::string audit_log;
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_server_name;
  bool tls_insecure = false;
  bool no_color = false;
  bool yes = false;
  std::string command_line;  // argv joined, for the audit log
  std::string command;       // the verb's path, "queue inspect"
};

// What the verb is about, for the machine outputs of every run, failures included: the verb fills
// it as soon as it knows its target (before connecting), app.cpp uses it when the run fails.
struct RunReport {
  // The verb's documented JSON fields, null where unknown; on failure `error` is added to it.
  nlohmann::json json = nlohmann::json::object();
  bool json_on_failure = true;  // false: stdout stays empty when the run fails (db sessions)
  // Prometheus: the family saying whether the target answered ("opsctl_redis_up"; none when
  // empty) and the labels naming what this run looked at (target, prefix, queue).
  std::string up_metric;
  std::map<std::string, std::string> labels;
  bool up = true;                         // the target answered (false: e.g. PostgreSQL full)
  std::optional<ErrorKind> down_because;  // the error label of up 0 on a run that still judged
};

// The run's own Prometheus metrics: opsctl_check_success (0 with an error label when failure is
// given), opsctl_last_run_timestamp_seconds and the report's up metric.
std::string run_metrics(const RunReport& report, const GlobalOptions& flags, long long now_ms, const Error* failure);

class Session {
 public:
  Session(const GlobalOptions& flags, Io& io);

  Io& io() { return io_; }
  output::Format format() const { return format_; }
  bool color() const { return color_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  const GlobalOptions& flags() const { return flags_; }

  std::string prefix();                    // --prefix, OPSCTL_PREFIX, context, "bull"
  const config::Config& config();          // loaded on first use
  const config::Context* context();        // --context or current-context; nullptr when none
  std::filesystem::path config_path() const;
  redis::Client& redis();                  // connects on first use
  queue::QueueStore& queues();             // the queues of the session's target (Redis or PostgreSQL)
  // --queue-backend, OPSCTL_QUEUE_BACKEND, context queue_backend, else "redis"; usage error otherwise.
  std::string queue_backend();
  redis::Target redis_target();            // resolved target (once per run), password included
  // A target from a URL given by the user (health checks several): the password from the URL, else
  // REDIS_PASSWORD, else the context's password file; warns once about a password on the command line.
  redis::Target redis_target_for(const std::string& url, bool from_command_line);
  pg::Connection& pg();                    // connects on first use
  pg::ConnectOptions pg_options();         // --pg, DATABASE_URL, context pg, else libpq's defaults
  std::string pg_display();                // the PostgreSQL target as named before connecting

  // A file about to be read that holds a secret (a password file, a TLS key, the config file when it
  // holds a password): warns once per run on stderr when group or others can read it.
  void warn_secret_file(const std::filesystem::path& path);

  // Writes a rendered document: stdout, or the --prom-file (atomically) for prom output, which
  // also gets the run's own metrics (opsctl_check_success, opsctl_last_run_timestamp_seconds, up).
  void emit(const std::string& text);

  // Queue verbs: names the Redis target, prefix and queue (empty: every queue of the prefix) in
  // the report; the JSON document of a failure has queue, prefix, status, the given fields, error.
  void about_queue(const std::string& prefix, const std::string& queue, nlohmann::json fields);
  RunReport& report() { return report_; }
  const RunReport& report() const { return report_; }

 private:
  GlobalOptions flags_;
  Io& io_;
  RunReport report_;
  output::Format format_;
  bool color_;
  std::chrono::milliseconds timeout_;
  std::optional<config::Config> config_;
  std::optional<redis::Target> redis_target_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<queue::QueueStore> queues_;
  bool warned_tls_insecure_ = false;
  bool warned_password_in_url_ = false;
  std::unique_ptr<pg::Connection> pg_;
  bool pg_password_warned_ = false;
  util::SecretFileWarnings secret_files_;
};

}  // namespace opsctl::cmd
