#pragma once
// RAII PostgreSQL session over libpq with a deadline on connect and on every result.
// Every query goes through PQsendQueryParams (values as parameters, never spliced into SQL);
// only the PgBouncer console, which speaks the simple protocol alone, uses simple_query().
// Failures throw PgError (exit 2) whose message names the redacted target and the cause.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pg/conninfo.h"
#include "pg/errors.h"
#include "pg/result.h"

namespace opsctl::pg {

using Param = std::optional<std::string>;  // nullopt binds SQL NULL

struct ConnectOptions {
  std::string conninfo;            // URL or key=value; "" leaves everything to libpq's defaults
  std::string source = "--pg";     // where conninfo came from, for messages
  std::chrono::milliseconds timeout{5000};
  Peer peer = Peer::server;
};

class Connection {
 public:
  // Connects within options.timeout (PQconnectStartParams + poll: a silent server cannot hang us).
  // When a pooler refuses the `options` startup parameter, retries once without it (then only
  // opsctl's client-side deadline protects the session).
  static Connection connect(const ConnectOptions& options);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // One statement with $1..$n parameters (text), results in text. On timeout the query is cancelled
  // (PQcancel) and the connection is dropped: later calls throw.
  Result query(std::string_view sql, const std::vector<Param>& params = {});
  // Simple query protocol, for the PgBouncer admin console only (it rejects the extended protocol).
  Result simple_query(std::string_view sql);

  // PQescapeIdentifier: "Jobs" -> "\"Jobs\"", with the session's encoding rules.
  std::string escape_identifier(std::string_view name) const;

  int server_version() const;   // PQserverVersion: 150004, 160002, ...
  int backend_pid() const;      // our own backend: never signalled
  const std::string& target() const;  // display_target(): "127.0.0.1:5432/app as app"
  std::chrono::milliseconds timeout() const;
  // WARNING/NOTICE messages the server sent since the last call (pg_terminate_backend's
  // "did not terminate within ..."), oldest first.
  std::vector<std::string> take_notices();

 private:
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// An explicit transaction that can never be left open: ROLLBACK unless commit() ran, also when an
// exception unwinds (a broken connection is simply dropped). begin is "BEGIN" or "BEGIN READ WRITE".
class Transaction {
 public:
  Transaction(Connection& c, std::string_view begin = "BEGIN");
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& conn_;
  bool open_ = true;
};

}  // namespace opsctl::pg
