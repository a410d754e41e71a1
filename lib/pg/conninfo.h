#pragma once
// How opsctl asks libpq for a session. The user's conninfo (URL or key=value, possibly empty) is
// handed to libpq whole with expand_dbname, so PG* variables, ~/.pgpass, passfile and services work
// exactly as libpq makes them work; opsctl only appends its own keywords after it.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opsctl::pg {

// What is at the other end. A PgBouncer admin console accepts no `options` startup parameter.
enum class Peer { server, pgbouncer_console };

// Whether opsctl's session guards travel as the `options` startup parameter. PgBouncer rejects
// it ("unsupported startup parameter: options"), so a refused first attempt is retried without.
enum class SessionGuards { in_options, none };

using Keywords = std::vector<std::pair<std::string, std::string>>;

// The keyword/value pairs for PQconnectStartParams(expand_dbname = 1), in order:
//   dbname=<conninfo> (only when non-empty: libpq expands it; later keywords win over it),
//   connect_timeout=<timeout in whole seconds, rounded up, at least 1>, application_name=opsctl,
//   options='-c statement_timeout=.. -c lock_timeout=.. -c idle_in_transaction_session_timeout=..
//            -c default_transaction_read_only=on' (server peers with SessionGuards::in_options).
// statement_timeout is 90% of timeout (the server's clearer message wins the race against opsctl's
// own deadline), lock_timeout half of it, idle_in_transaction_session_timeout all of it.
Keywords connect_keywords(std::string_view conninfo, std::chrono::milliseconds timeout, Peer peer,
                          SessionGuards guards);

// The `options` value above, alone (for tests and for messages).
std::string guard_options(std::chrono::milliseconds timeout);

// Checks that libpq can parse conninfo. Throws usage_error naming source ("--pg", "DATABASE_URL",
// "context prod") with libpq's reason, redacted; never echoes a password.
void validate_conninfo(std::string_view conninfo, std::string_view source);

// True when conninfo itself carries a password (URL userinfo or password=...): the caller warns,
// because a flag is visible in ps and shell history.
bool conninfo_has_password(std::string_view conninfo);

// The target conninfo names before connecting, with libpq's defaults (PGHOST, PGPORT, PGDATABASE,
// PGUSER, the Unix socket) filled in, in display_target() form: for messages and the audit line
// of a mutation refused before any connection is made. With a service: "service NAME" (its file
// is read by libpq when connecting).
std::string describe_conninfo(std::string_view conninfo);

// "host:port/db as user" as shown in every message about a session; a Unix socket directory is
// shown as given ("/var/run/postgresql:5432/app as app"). Never holds a password.
std::string display_target(std::string_view host, std::string_view port, std::string_view db, std::string_view user);

}  // namespace opsctl::pg
