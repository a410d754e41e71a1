#pragma once
// JSON of `opsctl top --once -o json` and of `queue inspect --watch -o json` lines; field names are
// documented in opsctl(1).
#include <cstdint>

#include <nlohmann/json.hpp>

#include "queue/inspect.h"
#include "top/layout.h"

namespace opsctl::top {

// {"status","target","interval_ms","fetched_at","fetch_ms","queues":[...],"contexts_failed":[...]}
nlohmann::json to_json(const Snapshot& s, const View& v);
nlohmann::json to_json(const QueueRow& r);

// Count changes of every state between two inspections; null without a previous one.
nlohmann::json count_deltas(const queue::InspectResult& cur, const queue::InspectResult* prev);

// One `queue inspect --watch` line: queue inspect's document plus "time" and "deltas".
nlohmann::json watch_json(const queue::InspectResult& cur, const queue::InspectResult* prev, std::int64_t now_ms);
// "2026-12-07T20:30:00Z  waiting 12 (+3)  active 2  ...  OK": the figures, with their change since
// the previous line when it changed, and the verdict.
std::string watch_line(const queue::InspectResult& cur, const queue::InspectResult* prev, std::int64_t now_ms);

}  // namespace opsctl::top
