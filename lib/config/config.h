#pragma once
// The config file: kubectl-style named contexts (redis, pg, prefix, http checks, thresholds, read_only).
//
//   current-context: prod
//   contexts:
//     - name: prod
//       redis: redis://cache.internal:6379/0
//       redis_password_file: /etc/opsctl/redis.pass
//       # or, instead of redis, Redis behind Sentinel (the redis+sentinel:// URL's parts):
//       # sentinels: [10.0.0.1:26379, 10.0.0.2:26379]
//       # master_name: mymaster
//       # db: 0
//       # redis_user: ops
//       # sentinel_password_file: /etc/opsctl/sentinel.pass
//       pg: "host=db1 dbname=app user=ops"
//       prefix: bull
//       read_only: true
//       confirm: true
//       http:
//         - name: api
//           url: https://api.internal/health
//           expect_status: 200
//           expect_json: [success=true]   # also expect_body, headers, basic_auth_file, insecure, cacert
//       redis_checks:             # more targets for `opsctl health`, each with a name
//         - name: cache
//           url: redis://cache.internal:6379
//       pg_checks:
//         - name: replica
//           url: "host=db2 dbname=app user=ops"
//       thresholds:            # flag names of the checks (queue inspect, queue list), over the
//         warn-wait: 100       # top-level thresholds: block, which applies to every context
//         crit-wait: 1000
//         queues:              # per queue, over the rest
//           emails: {warn-wait: 500, window: 30m}
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/env.h"
#include "util/host_port.h"

namespace opsctl::config {

struct HttpCheck {
  std::string name;
  std::string url;
  int expect_status = 0;      // 0: any 2xx
  std::string expect_body;    // empty: no body check; else an ECMAScript regex
  std::vector<std::string> expect_json;  // PATH=VALUE, as --expect-json
  std::vector<std::string> headers;      // "Name: value", value may be @FILE or env:VAR, as --header
  std::string basic_auth_file;           // user:password
  bool insecure = false;                 // no TLS verification
  std::string cacert;                    // CA file for HTTPS
};

// A named target of `opsctl health` (redis_checks, pg_checks): url is a Redis URL or a conninfo.
struct NamedTarget {
  std::string name;
  std::string url;
  int line = 0;
};

struct Context {
  std::string name;
  std::optional<std::string> redis;
  std::optional<std::string> redis_password_file;
  std::optional<std::string> sentinel_password_file;  // the sentinels' password
  // Redis behind Sentinel without a URL: these nodes asked for master_name, then db and redis_user
  // on the master (exactly what redis+sentinel://redis_user@sentinels/master_name/db says).
  std::vector<util::HostPort> sentinels;
  std::optional<std::string> master_name;
  std::optional<int> db;
  std::optional<std::string> redis_user;
  // TLS to Redis: `tls: true` turns it on for a redis:// URL too (rediss:// always does).
  bool tls = false;
  std::optional<std::string> tls_ca;           // CA bundle (PEM) the server's certificate is checked against
  std::optional<std::string> tls_cert;         // client certificate (PEM)
  std::optional<std::string> tls_key;          // its key (PEM)
  std::optional<std::string> tls_server_name;  // the name verified and sent as SNI
  bool tls_insecure = false;                   // no verification (said in every output)
  bool cluster = false;  // the Redis must be a Redis Cluster (one is detected anyway)
  std::optional<std::string> pg;
  std::optional<std::string> prefix;
  std::optional<std::string> queue_backend;  // redis | postgres (BullMQ's PostgreSQL backend, on pg)
  std::optional<std::string> queue_schema;   // BullMQ's schema on the PostgreSQL backend (default bullmq)
  bool read_only = false;
  bool confirm = false;
  std::vector<HttpCheck> http;
  std::vector<NamedTarget> redis_checks;  // more Redis servers for `opsctl health`
  std::vector<NamedTarget> pg_checks;     // more PostgreSQL servers for `opsctl health`
  std::map<std::string, std::string> thresholds;  // flag name without dashes -> value text
  std::map<std::string, std::map<std::string, std::string>> queue_thresholds;  // queue -> the same
  int line = 0;                                   // 1-based line of the context in the file
};

struct Config {
  std::filesystem::path path;
  bool exists = false;  // false: no file at path, an empty config
  std::string current_context;
  std::vector<Context> contexts;
  // The top-level thresholds: block, under every context's own (name, line unused).
  Context defaults;

  const Context* find(const std::string& name) const;
};

// $XDG_CONFIG_HOME/opsctl/config.yaml, else $HOME/.config/opsctl/config.yaml; env is the caller's
// environment (cmd::Io::env).
std::filesystem::path default_config_path(const util::EnvLookup& env);

// Loads path. A missing file is an empty config (exists=false) unless required is true.
// Unreadable, malformed YAML, wrong types, unknown keys, duplicate context names, a current-context
// that names no context: throws config_error "<path>:<line>: <what is wrong>" (exit 78).
Config load_config(const std::filesystem::path& path, bool required = false);

// The context to use: the named one (config_error if absent), else current-context, else nullptr.
const Context* select_context(const Config& cfg, const std::optional<std::string>& name);

// The context's Redis as a URL: its redis field, else redis+sentinel://[redis_user@]sentinels/master_name[/db]
// built from the Sentinel fields; nullopt when it names no Redis. usage_error (exit 64) naming the
// file and the context when the fields conflict: redis and sentinels both, master_name without
// sentinels or sentinels without it, db or redis_user beside a redis URL (the URL carries its own).
std::optional<std::string> redis_url(const Config& cfg, const Context& c);

// Whether the config file itself holds a secret: a password in a Redis URL or conninfo (the
// context's, its redis_checks and pg_checks, an http check's URL) or a credential header written
// as literal text. Password files, @FILE and env:VAR references are not secrets of the file.
bool holds_secret(const Config& cfg);

// Reads a password file (first line, trailing newline/CR stripped). config_error naming the file
// when unreadable or empty.
std::string read_password_file(const std::filesystem::path& path);

// Rewrites the file with current-context set to name, atomically (temp file + rename), keeping every
// other setting. config_error when the context does not exist.
void use_context(const std::filesystem::path& path, const std::string& name);

// The config as JSON with every secret redacted (util::redact on URLs/conninfo); password files are
// shown by path only. Used by `config view`.
nlohmann::json redacted_view(const Config& cfg);

}  // namespace opsctl::config
