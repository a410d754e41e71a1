#pragma once
// QueueStore over BullMQ 6's PostgreSQL backend (docs/bullmq-postgres.md): the queues of one
// BullMQ schema, read with SQL over its tables (parameters only, the session's statement_timeout).
// The schema is the namespace: QueueRef::prefix names it. Its version is checked once, before the
// first query on it: a schema of a version opsctl was not tested against is refused, not guessed.
#include <memory>
#include <string>
#include <vector>

#include "pg/connection.h"
#include "queue/store.h"

namespace opsctl::queue {

// BullMQ's default schema name (createPostgresBackend's `schema` option).
inline constexpr const char* kDefaultPgSchema = "bullmq";

// Schema versions (max(version) of <schema>.migration) opsctl supports, and the migration names
// BullMQ 6.7.0 records for versions 1..11.
const std::vector<int>& supported_pg_schema_versions();
const std::vector<std::string>& known_pg_migrations();

// A store over a connection the caller owns (the session's), which must outlive it.
std::unique_ptr<QueueStore> postgres_store(pg::Connection& conn);

}  // namespace opsctl::queue
