// The PostgreSQL store's session over BullMQ's schemas: the version guard (docs/bullmq-postgres.md
// 1.2), the database clock, queue discovery and a queue's shape (meta rows), and the column readers.
#include "queue/postgres/db.h"
#include "queue/postgres/store.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "util/text.h"

namespace opsctl::queue {

const std::vector<int>& supported_pg_schema_versions() {
  static const std::vector<int> v = {11};
  return v;
}

const std::vector<std::string>& known_pg_migrations() {
  static const std::vector<std::string> names = {
      "0001_schema",          "0002_functions",        "0003_dedup_stale_key",
      "0004_relay",           "0005_flow_parent_release", "0006_dedup_reschedule",
      "0007_obliterate_dedup_lock_order", "0008_bulk_dedup_lock_order",
      "0009_obliterate_bounded_dedup_locks", "0010_obliterate_finalization_lock",
      "0011_obliterate_producer_lock"};
  return names;
}

namespace pgq {
std::string public_state(const pg::Row& r) {
  std::string state = r.text("state", "unknown");
  if (state == "waiting" && r.integer("priority").value_or(0) > 0) return "prioritized";
  return state;
}

nlohmann::json json_column(const pg::Value& v) {
  if (!v) return nullptr;
  auto j = nlohmann::json::parse(*v, nullptr, false);
  if (j.is_discarded()) return *v;
  return j;
}

std::string Db::qualified(const std::string& schema) {
  if (auto it = checked_.find(schema); it != checked_.end()) return it->second;
  auto r = c_.query("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS has_schema,"
                    " to_regclass(format('%I.migration', $1::text)) IS NOT NULL AS has_ledger",
                    {schema});
  pg::Row head(r, 0);
  if (!head.boolean("has_schema")) {
    throw critical_error(fmt::format("postgres {}: schema {} does not exist: no BullMQ queues there (queue_schema in "
                                     "the context names BullMQ's schema; default {})",
                                     c_.target(), schema, kDefaultPgSchema));
  }
  const std::string S = c_.escape_identifier(schema);
  if (!head.boolean("has_ledger")) {
    throw critical_error(fmt::format("postgres {}: schema {} is not a BullMQ schema (no {}.migration table)", c_.target(),
                                     schema, schema));
  }
  auto v = c_.query(fmt::format("SELECT max(version) AS version, max(min_client_version) AS min_client,"
                                " array_to_json(array_agg(name ORDER BY version))::text AS names FROM {}.migration",
                                S));
  pg::Row row(v, 0);
  auto version = row.integer("version").value_or(0);
  const auto& supported = supported_pg_schema_versions();
  auto refuse = [&](const std::string& why) {
    throw unknown_error(fmt::format("postgres {}: BullMQ schema version {} not supported; supported: {}{}", c_.target(),
                                    version, fmt::join(supported, ", "), why));
  };
  if (std::find(supported.begin(), supported.end(), version) == supported.end()) refuse("");
  if (row.integer("min_client").value_or(0) > 6) {
    refuse(fmt::format(" (it needs BullMQ {} or newer)", *row.integer("min_client")));
  }
  auto names = nlohmann::json::parse(row.text("names", "[]"), nullptr, false);
  const auto& known = known_pg_migrations();
  if (names.is_array()) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::string name = names[i].is_string() ? names[i].get<std::string>() : "";
      if (i >= known.size() || name != known[i]) refuse(fmt::format(" (unknown migration {} at version {})", name, i + 1));
    }
  }
  checked_[schema] = S;
  return S;
}

std::int64_t Db::now_ms() {
  auto r = c_.query("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now");
  return pg::Row(r, 0).integer("now").value_or(0);
}

std::vector<std::string> Db::discover(const std::string& schema) {
  const std::string S = qualified(schema);
  auto r = c_.query(fmt::format(
      "WITH RECURSIVE j AS ("
      " (SELECT queue FROM {0}.job ORDER BY queue LIMIT 1)"
      " UNION ALL"
      " SELECT (SELECT queue FROM {0}.job WHERE queue > j.queue ORDER BY queue LIMIT 1) FROM j WHERE j.queue IS NOT NULL)"
      " SELECT q.queue FROM (SELECT queue FROM j WHERE queue IS NOT NULL"
      " UNION SELECT queue FROM {0}.meta UNION SELECT queue FROM {0}.scheduler) q ORDER BY 1",
      S));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.rows.size(); ++i) out.push_back(pg::Row(r, i).text("queue"));
  return out;
}

QueueShape Db::shape(const QueueRef& ref) {
  const std::string S = qualified(ref.prefix);
  auto r = c_.query(fmt::format(
      "SELECT EXISTS (SELECT 1 FROM {0}.job WHERE queue = $1) OR EXISTS (SELECT 1 FROM {0}.meta WHERE queue = $1)"
      " OR EXISTS (SELECT 1 FROM {0}.scheduler WHERE queue = $1) AS exists,"
      " (SELECT value FROM {0}.meta WHERE queue = $1 AND field = 'version') AS version,"
      " (SELECT value FROM {0}.meta WHERE queue = $1 AND field = 'paused') AS paused,"
      " (SELECT value FROM {0}.meta WHERE queue = $1 AND field = 'concurrency') AS concurrency",
      S),
      {ref.name});
  pg::Row row(r, 0);
  QueueShape s;
  s.layout = Layout::bullmq;
  s.exists = row.boolean("exists");
  s.version = row.value("version");
  const auto& paused = row.value("paused");
  s.paused = paused.has_value();  // isPaused(): the field's presence
  if (paused && *paused != "1") {
    s.problems.push_back({"", ref.display(), "paused",
                          fmt::format("meta field paused is '{}', not '1': BullMQ reports the queue paused while its "
                                      "workers keep claiming jobs", *paused)});
  }
  if (auto c = row.value("concurrency")) s.concurrency = util::parse_int(*c);
  return s;
}

void Db::throw_not_found(const QueueRef& ref) {
  std::string hint = util::closest_match(ref.name, discover(ref.prefix));
  throw critical_error(fmt::format("postgres {}: queue '{}' not found in schema '{}'{}", c_.target(), ref.name, ref.prefix,
                                   hint.empty() ? " (opsctl queue list shows the queues)"
                                                : fmt::format(" (did you mean '{}'?)", hint)));
}

}  // namespace pgq
}  // namespace opsctl::queue
