#pragma once
// The model of `opsctl top`: one sample per queue and tick, rates from successive samples, sort keys
// and the `/` filter. Pure: no terminal, no network (unit-tested in tests/unit/test_top_model.cpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "queue/checks.h"

namespace opsctl::top {

// One queue at one tick: what the row shows.
struct QueueSample {
  std::string context;  // "" when the view runs in one context
  std::string queue;
  bool paused = false;
  std::int64_t waiting = 0;  // ready to run: waiting + prioritized (+ a legacy paused list)
  std::int64_t active = 0, delayed = 0, failed = 0, completed = 0;
  std::int64_t completed_in_window = 0, failed_in_window = 0, window_ms = 0;
  std::optional<std::int64_t> oldest_waiting_age_ms, p95_ms, workers;
  Status status = Status::ok;
  std::string finding;  // the first non-ok check's message
};

// The sample of probed figures and their verdict.
QueueSample sample_of(const queue::QueueFigures& f, const queue::Verdict& v, const std::string& context);

// A sample with its rates per minute: from the count deltas since the previous sample of the same
// queue; on the first sample (or when a count went down: retention trimmed it) the window's average.
struct QueueRow {
  QueueSample s;
  std::optional<double> completed_per_min, failed_per_min;
  bool rates_from_window = true;  // false: measured between two samples
};

// The rate of a count between two samples dt_ms apart; nullopt when it cannot be told.
std::optional<double> rate_per_min(std::int64_t before, std::int64_t after, std::int64_t dt_ms);

// Remembers the previous sample of each queue (by context and name) to turn counts into rates.
class Rates {
 public:
  std::vector<QueueRow> update(const std::vector<QueueSample>& samples, std::int64_t at_ms);

 private:
  struct Seen {
    std::int64_t at_ms = 0;
    QueueSample sample;
  };
  std::map<std::pair<std::string, std::string>, Seen> prev_;
};

enum class SortKey { status, name, waiting, failed_rate, completed_rate, failed, oldest };
SortKey next(SortKey k);  // the `s` key cycles through them
std::string to_string(SortKey k);

// Rows whose context or queue name contains filter (case-insensitive), sorted by key: the worst
// (most waiting, most failing, oldest) first, ties by context and name.
std::vector<QueueRow> arrange(std::vector<QueueRow> rows, SortKey key, const std::string& filter);

}  // namespace opsctl::top
