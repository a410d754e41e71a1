#include "top/json.h"

#include <fmt/format.h>

#include "queue/json.h"
#include "queue/keys.h"
#include "util/text.h"

namespace opsctl::top {
namespace {

nlohmann::json opt(const std::optional<std::int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }
nlohmann::json opt(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

std::optional<std::int64_t> count_of(const queue::Counts& counts, const std::string& state) {
  for (const auto& [s, n] : counts) {
    if (s == state) return n;
  }
  return std::nullopt;
}

}  // namespace

nlohmann::json to_json(const QueueRow& r) {
  const auto& s = r.s;
  return {{"context", s.context.empty() ? nlohmann::json() : nlohmann::json(s.context)},
          {"queue", s.queue},
          {"paused", s.paused},
          {"status", std::string(to_string(s.status))},
          {"waiting", s.waiting},
          {"active", s.active},
          {"delayed", s.delayed},
          {"failed", s.failed},
          {"completed", s.completed},
          {"completed_per_min", opt(r.completed_per_min)},
          {"failed_per_min", opt(r.failed_per_min)},
          {"rates_from", r.rates_from_window ? "window" : "samples"},
          {"oldest_waiting_age_ms", opt(s.oldest_waiting_age_ms)},
          {"processing_p95_ms", opt(s.p95_ms)},
          {"workers", opt(s.workers)},
          {"finding", s.finding}};
}

nlohmann::json to_json(const Snapshot& s, const View& v) {
  nlohmann::json queues = nlohmann::json::array();
  for (const auto& r : arrange(s.rows, v.sort, v.filter)) queues.push_back(to_json(r));
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& [ctx, err] : s.context_errors) failed.push_back({{"context", ctx}, {"message", err}});
  return {{"status", std::string(to_string(s.status))},
          {"target", v.target},
          {"interval_ms", v.interval_ms},
          {"fetched_at", s.good_at_ms ? nlohmann::json(util::iso8601_utc(s.good_at_ms)) : nlohmann::json()},
          {"fetch_ms", s.fetch_ms},
          {"queues", queues},
          {"contexts_failed", failed}};
}

nlohmann::json count_deltas(const queue::InspectResult& cur, const queue::InspectResult* prev) {
  if (!prev) return nullptr;
  nlohmann::json d = nlohmann::json::object();
  for (const auto& [state, n] : cur.counts) {
    auto before = count_of(prev->counts, state);
    d[state] = n && before ? nlohmann::json(*n - *before) : nlohmann::json();
  }
  return d;
}

nlohmann::json watch_json(const queue::InspectResult& cur, const queue::InspectResult* prev, std::int64_t now_ms) {
  nlohmann::json doc = queue::to_json(cur);
  doc["time"] = util::iso8601_utc(now_ms);
  doc["deltas"] = count_deltas(cur, prev);
  return doc;
}

std::string watch_line(const queue::InspectResult& cur, const queue::InspectResult* prev, std::int64_t now_ms) {
  std::string line = util::iso8601_utc(now_ms);
  for (const auto& [state, n] : cur.counts) {
    line += fmt::format("  {} {}", state, n ? std::to_string(*n) : "?");
    auto before = prev ? count_of(prev->counts, state) : std::nullopt;
    if (n && before && *n != *before) line += fmt::format(" ({:+})", *n - *before);
  }
  if (cur.workers) line += fmt::format("  workers {}", cur.workers->size());
  line += fmt::format("  {}", to_upper(cur.status));
  if (cur.status != Status::ok) line += ": " + cur.summary;
  return line + "\n";
}

}  // namespace opsctl::top
