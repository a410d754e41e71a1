#include "pg/connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include <fmt/format.h>

#include "pg/deadline.h"
#include "util/redact.h"

namespace opsctl::pg {
namespace {

struct ConnFree {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnFree>;
using ResultPtr = std::unique_ptr<PGresult, ResultFree>;

std::string or_empty(const char* s) { return s ? s : ""; }

std::string target_of(const PGconn* c) {
  if (c == nullptr) return "(unknown server)";
  return display_target(or_empty(PQhost(c)), or_empty(PQport(c)), or_empty(PQdb(c)), or_empty(PQuser(c)));
}

Result convert(const PGresult* r) {
  Result out;
  if (r == nullptr) return out;
  const int cols = PQnfields(r);
  const int rows = PQntuples(r);
  out.columns.reserve(static_cast<std::size_t>(cols));
  for (int c = 0; c < cols; ++c) out.columns.emplace_back(PQfname(r, c));
  out.rows.reserve(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    std::vector<Value> row;
    row.reserve(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(r, i, c)) row.emplace_back(std::nullopt);
      else row.emplace_back(std::string(PQgetvalue(r, i, c), static_cast<std::size_t>(PQgetlength(r, i, c))));
    }
    out.rows.push_back(std::move(row));
  }
  const char* tuples = PQcmdTuples(const_cast<PGresult*>(r));
  if (tuples != nullptr && *tuples != '\0') out.affected = std::strtoll(tuples, nullptr, 10);
  return out;
}

struct AttemptFailed {
  std::string target;
  Diagnosis diagnosis;
};

}  // namespace

struct Connection::Impl {
  ConnPtr conn;
  ConnectOptions options;
  std::string target;
  std::vector<std::string> notices;

  PGconn* live() {
    if (!conn) {
      throw PgError(target, Diagnosis{Failure::connection_lost, "", "dropped",
                                      "the session was dropped after an earlier timeout"});
    }
    return conn.get();
  }

  // The session broke mid-conversation (terminated by an administrator, a restart, the network).
  [[noreturn]] void lost() {
    std::string why = conn ? or_empty(PQerrorMessage(conn.get())) : "";
    conn.reset();
    why = why.substr(0, why.find('\n'));
    throw PgError(target, Diagnosis{Failure::connection_lost, "", why,
                                    why.empty() ? "connection lost" : fmt::format("connection lost: {}", why)});
  }

  // The query did not answer in time: ask the server to cancel it, drop the session, say so.
  [[noreturn]] void timed_out() {
    cancel_in_background(conn.get(), std::chrono::milliseconds(500));
    conn.reset();
    throw PgError(target, timeout_diagnosis(options.timeout, Waiting::result));
  }

  // A server WARNING or NOTICE goes to the notice list, never to stderr (lib/ never prints).
  static void collect_notice(void* arg, const PGresult* r) {
    auto* impl = static_cast<Impl*>(arg);
    const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    if (primary != nullptr && impl->notices.size() < 1000) impl->notices.emplace_back(primary);
  }

  // One connection attempt within the deadline; throws AttemptFailed so connect() may retry.
  ConnPtr attempt(SessionGuards g, Clock::time_point deadline) {
    const Keywords kw = connect_keywords(options.conninfo, options.timeout, options.peer, g);
    std::vector<const char*> keys;
    std::vector<const char*> values;
    for (const auto& [k, v] : kw) {
      keys.push_back(k.c_str());
      values.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    ConnPtr c(PQconnectStartParams(keys.data(), values.data(), 1));
    if (!c) throw AttemptFailed{"(unknown server)", Diagnosis{Failure::other, "", "out of memory", "out of memory"}};
    PQsetErrorVerbosity(c.get(), PQERRORS_VERBOSE);  // puts the SQLSTATE into a failed login's message
    PQsetNoticeReceiver(c.get(), collect_notice, this);
    PostgresPollingStatusType st = PQstatus(c.get()) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
      const int fd = PQsocket(c.get());
      if (fd < 0) {
        st = PGRES_POLLING_FAILED;
        break;
      }
      if (!wait_socket(fd, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline)) {
        throw AttemptFailed{target_of(c.get()), timeout_diagnosis(options.timeout, Waiting::connect)};
      }
      st = PQconnectPoll(c.get());
    }
    if (st == PGRES_POLLING_FAILED) {
      throw AttemptFailed{target_of(c.get()), classify_connect_error(or_empty(PQerrorMessage(c.get())))};
    }
    PQsetErrorVerbosity(c.get(), PQERRORS_DEFAULT);
    return c;
  }

  Result await_result() {
    PGconn* c = live();
    const auto deadline = Clock::now() + options.timeout;
    for (;;) {
      const int f = PQflush(c);
      if (f == 0) break;
      if (f < 0) lost();
      if (!wait_socket(PQsocket(c), POLLIN | POLLOUT, deadline)) timed_out();
      if (!PQconsumeInput(c)) lost();
    }
    ResultPtr error;
    ResultPtr last;
    for (;;) {
      while (PQisBusy(c)) {
        if (!wait_socket(PQsocket(c), POLLIN, deadline)) timed_out();
        if (!PQconsumeInput(c)) lost();
      }
      ResultPtr r(PQgetResult(c));
      if (!r) break;
      const ExecStatusType st = PQresultStatus(r.get());
      if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
        if (!error) error = std::move(r);
      } else {
        last = std::move(r);
      }
    }
    if (error) {
      const char* state = PQresultErrorField(error.get(), PG_DIAG_SQLSTATE);
      const char* primary = PQresultErrorField(error.get(), PG_DIAG_MESSAGE_PRIMARY);
      std::string message = primary ? primary : or_empty(PQresultErrorMessage(error.get()));
      Diagnosis d = classify_query_error(or_empty(state), message);
      if (PQstatus(c) == CONNECTION_BAD) conn.reset();
      throw PgError(target, d);
    }
    if (PQstatus(c) == CONNECTION_BAD) lost();
    return convert(last.get());
  }
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Connection Connection::connect(const ConnectOptions& options) {
  validate_conninfo(options.conninfo, options.source);
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const auto deadline = Clock::now() + options.timeout;
  try {
    try {
      impl->conn = impl->attempt(SessionGuards::in_options, deadline);
    } catch (const AttemptFailed& f) {
      // PgBouncer: "unsupported startup parameter: options". Its pooled sessions are shared, so
      // opsctl does not SET the guards either; its own deadline and PQcancel remain.
      if (options.peer != Peer::server || f.diagnosis.message.find("unsupported startup parameter") == std::string::npos) {
        throw;
      }
      impl->conn = impl->attempt(SessionGuards::none, deadline);
    }
  } catch (const AttemptFailed& f) {
    throw PgError(f.target, f.diagnosis);
  }
  impl->target = target_of(impl->conn.get());
  return Connection(std::move(impl));
}

Result Connection::query(std::string_view sql, const std::vector<Param>& params) {
  PGconn* c = impl_->live();
  const std::string text(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  if (!PQsendQueryParams(c, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0)) {
    impl_->lost();
  }
  return impl_->await_result();
}

Result Connection::simple_query(std::string_view sql) {
  PGconn* c = impl_->live();
  if (!PQsendQuery(c, std::string(sql).c_str())) impl_->lost();
  return impl_->await_result();
}

std::string Connection::escape_identifier(std::string_view name) const {
  PGconn* c = impl_->live();
  char* quoted = PQescapeIdentifier(c, name.data(), name.size());
  if (quoted == nullptr) {
    throw PgError(impl_->target, Diagnosis{Failure::other, "", "escape",
                                           util::redact(fmt::format("cannot quote identifier: {}",
                                                                    or_empty(PQerrorMessage(c))))});
  }
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

int Connection::server_version() const { return impl_->conn ? PQserverVersion(impl_->conn.get()) : 0; }
int Connection::backend_pid() const { return impl_->conn ? PQbackendPID(impl_->conn.get()) : 0; }
const std::string& Connection::target() const { return impl_->target; }
std::chrono::milliseconds Connection::timeout() const { return impl_->options.timeout; }

std::vector<std::string> Connection::take_notices() {
  std::vector<std::string> out;
  out.swap(impl_->notices);
  return out;
}

Transaction::Transaction(Connection& c, std::string_view begin) : conn_(c) { conn_.query(begin); }

Transaction::~Transaction() {
  if (!open_) return;
  try {
    conn_.query("ROLLBACK");
  } catch (...) {
    // The session is gone or broken; the server rolls back when the connection closes.
  }
}

void Transaction::commit() {
  open_ = false;
  conn_.query("COMMIT");
}

}  // namespace opsctl::pg
