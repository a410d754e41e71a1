// JSON of the pool report; the top-level names are the contract of opsctl(1), db pool.
#include <cmath>

#include "db/pool.h"

namespace opsctl::db {
namespace {

nlohmann::json opt(const std::optional<std::int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json rows(const std::vector<SessionRow>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& s : v) a.push_back(to_json(s));
  return a;
}

}  // namespace

std::string state_key(const std::string& state) {
  if (state.empty()) return "unknown";
  std::string out;
  for (char c : state) {
    if (c == ' ') out += '_';
    else if (c != '(' && c != ')') out += c;
  }
  return out;
}

nlohmann::json to_json(const PoolReport& r) {
  nlohmann::json causes = nlohmann::json::array();
  for (const auto& c : r.causes) causes.push_back({{"status", to_string(c.status)}, {"kind", c.kind}, {"text", c.text}});
  nlohmann::json blockers = nlohmann::json::array();
  for (const auto& b : r.blockers) {
    nlohmann::json j = b.session ? to_json(*b.session) : nlohmann::json{{"pid", b.pid}, {"backend_start", nullptr}};
    j["prepared_transaction"] = b.pid == 0;
    j["direct_waiters"] = b.direct_waiters;
    j["total_waiters"] = b.total_waiters;
    j["longest_wait_seconds"] = std::round(b.longest_wait_s * 1000.0) / 1000.0;
    blockers.push_back(j);
  }
  const auto& st = r.settings;
  nlohmann::json j{
      {"status", to_string(r.status)},
      {"verdict", r.verdict},
      {"causes", causes},
      {"connected", r.connected},
      {"max_connections", st ? nlohmann::json(st->max_connections) : nlohmann::json(nullptr)},
      {"superuser_reserved", st ? nlohmann::json(st->superuser_reserved) : nlohmann::json(nullptr)},
      {"reserved", st ? nlohmann::json(st->reserved) : nlohmann::json(nullptr)},
      {"used", opt(r.used)},
      {"usable", opt(r.usable)},
      {"available", opt(r.available)},
      {"by_state", r.connected ? nlohmann::json(r.by_state) : nlohmann::json(nullptr)},
      {"idle_in_transaction", rows(r.idle_in_transaction)},
      {"long_running", rows(r.long_running)},
      {"blockers", blockers},
      {"hidden_sessions", r.hidden},
      {"hints", r.hints},
      {"thresholds",
       {{"idle_tx_seconds", r.options.idle_tx.count() / 1000.0},
        {"long_seconds", r.options.long_running.count() / 1000.0},
        {"lock_wait_seconds", r.options.lock_wait.count() / 1000.0},
        {"pooler_wait_seconds", r.options.pooler_wait.count() / 1000.0}}},
  };
  if (st) {
    j["server_version_num"] = st->server_version;
    j["reserved_connections_supported"] = st->reserved_supported;
  }
  if (!r.connected) {  // the report of a server without a slot for opsctl: a verdict, not a failed run
    j["error"] = r.error;
    j["error_kind"] = r.error_kind ? to_string(*r.error_kind) : "failed";
  }
  j["pgbouncer"] = r.pooler ? to_json(*r.pooler) : nlohmann::json(nullptr);
  return j;
}

}  // namespace opsctl::db
