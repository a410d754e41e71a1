// What Redis failures mean for the person at the shell: broken connections and error replies as
// typed Errors with the redacted target and the next thing to check.
#include "redis/errors.h"

#include <cctype>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "core/error.h"
#include "redis/client.h"
#include "redis/cluster.h"
#include "util/duration.h"
#include "util/redact.h"

namespace opsctl::redis {

// Turns a broken connection into the error an on-call engineer can act on.
void throw_io_error(const Target& t, const TransportError& e, std::chrono::milliseconds timeout, std::string_view during) {
  std::string cause;
  ErrorKind kind = ErrorKind::connection_lost;
  switch (e.kind) {
    case TransportError::Kind::refused:
      cause = "connection refused (is redis-server running?)";
      kind = ErrorKind::connection_refused;
      break;
    case TransportError::Kind::timeout:
      cause = fmt::format("timed out after {} {} (is the server overloaded, or not Redis?)",
                          util::format_duration(timeout), during);
      kind = ErrorKind::timeout;
      break;
    case TransportError::Kind::closed:
      if (!t.sentinel.nodes.empty()) {
        cause = "connection closed by the server (a failover? the sentinels name the current master: run the command "
                "again)";
      } else if (!t.tls.enabled) {
        cause = "connection closed by the server (maxclients reached, or a TLS-only port?)";
      } else if (t.tls.cert_file.empty()) {
        // A TLS server that wants a client certificate hangs up after the handshake, at the first read.
        cause = "connection closed by the server (maxclients reached, or it asks for a client certificate: "
                "--tls-cert and --tls-key?)";
      } else {
        cause = "connection closed by the server (maxclients reached, or it did not accept the client certificate?)";
      }
      break;
    case TransportError::Kind::dns:
      cause = fmt::format("cannot resolve host ({})", e.what());
      kind = ErrorKind::dns;
      break;
    case TransportError::Kind::tls:
      cause = fmt::format("{} (--tls-ca names the CA that signed the server's certificate)", e.what());
      kind = ErrorKind::tls;
      break;
    case TransportError::Kind::other:
      cause = e.what();
      break;
  }
  throw Error(ExitCode::critical, kind, util::redact(fmt::format("redis {}: {}", t.display(), cause)));
}

void throw_reply_error(const Target& t, const Command& argv, const std::string& message) {
  std::string cmd = argv.empty() ? "command" : argv[0];
  for (auto& ch : cmd) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string key = argv.size() > 1 ? argv[1] : "";
  auto fail = [&](ExitCode code, ErrorKind kind, const std::string& cause) -> void {
    throw Error(code, kind, util::redact(fmt::format("redis {}: {}", t.display(), cause)));
  };
  if (message.starts_with("NOAUTH")) {
    fail(ExitCode::critical, ErrorKind::auth,
         "authentication required: set REDIS_PASSWORD or the context's redis_password_file");
  } else if (message.starts_with("WRONGPASS") || message.find("invalid password") != std::string::npos ||
             message.find("invalid username-password") != std::string::npos) {
    fail(ExitCode::critical, ErrorKind::auth,
         "wrong password (or ACL user) for Redis: check REDIS_PASSWORD or the password file");
  } else if (message.starts_with("WRONGTYPE")) {
    fail(ExitCode::unknown, ErrorKind::bad_data,
         fmt::format("key {} has the wrong type for {} (not a BullMQ key?)", key, cmd));
  } else if (message.starts_with("READONLY") && !t.sentinel.nodes.empty()) {
    fail(ExitCode::critical, ErrorKind::unavailable,
         "the master became a read-only replica (a failover): run the command again, the sentinels name the new master");
  } else if (message.starts_with("READONLY")) {
    fail(ExitCode::critical, ErrorKind::unavailable, "this is a read-only replica: point --redis at the primary");
  } else if (message.starts_with("LOADING")) {
    fail(ExitCode::critical, ErrorKind::unavailable, "Redis is loading its dataset into memory: retry in a moment");
  } else if (message.starts_with("NOPERM")) {
    fail(ExitCode::critical, ErrorKind::permission, fmt::format("the Redis user may not run {} (ACL): {}", cmd, message));
  } else if (message.starts_with("BUSY")) {
    fail(ExitCode::critical, ErrorKind::unavailable, "Redis is busy running a script: retry, or SCRIPT KILL it");
  } else if (message.starts_with("CROSSSLOT")) {
    fail(ExitCode::usage, ErrorKind::usage, fmt::format("{} {}: {}", cmd, key, cross_slot_explanation()));
  } else if (message.starts_with("CLUSTERDOWN")) {
    fail(ExitCode::critical, ErrorKind::unavailable,
         fmt::format("the Redis Cluster is down ({}): a master without a replica failed, or slots are not served; "
                     "redis-cli --cluster check shows which",
                     message));
  } else if (message.starts_with("TRYAGAIN")) {
    fail(ExitCode::critical, ErrorKind::unavailable,
         fmt::format("the slot of {} stayed in migration longer than --timeout (TRYAGAIN): run the command again when "
                     "the resharding is done",
                     key));
  } else if (message.starts_with("MOVED") || message.starts_with("ASK ")) {
    fail(ExitCode::critical, ErrorKind::unavailable,
         fmt::format("{} was redirected too often ({}): the cluster's slot map keeps changing", cmd, message));
  } else if (message.find("max number of clients") != std::string::npos) {
    fail(ExitCode::critical, ErrorKind::too_many_clients,
         fmt::format("Redis has no free client slot (maxclients reached): {}", message));
  }
  fail(ExitCode::critical, ErrorKind::failed, fmt::format("{} failed: {}", cmd, message));
  std::abort();  // unreachable: fail always throws
}

}  // namespace opsctl::redis
