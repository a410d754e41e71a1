#include "top/model.h"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace opsctl::top {
namespace {

std::int64_t count_of(const queue::Counts& counts, const std::string& state) {
  for (const auto& [s, n] : counts) {
    if (s == state) return n.value_or(0);
  }
  return 0;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int severity(Status s) {
  switch (s) {
    case Status::critical: return 3;
    case Status::unknown: return 2;
    case Status::warning: return 1;
    case Status::ok: return 0;
  }
  return 2;
}

std::optional<double> window_rate(std::int64_t in_window, std::int64_t window_ms) {
  if (window_ms <= 0) return std::nullopt;
  return static_cast<double>(in_window) * 60000.0 / static_cast<double>(window_ms);
}

// The value sorted on, larger first; name order breaks ties.
double sort_value(const QueueRow& r, SortKey k) {
  switch (k) {
    case SortKey::status: return severity(r.s.status);
    case SortKey::waiting: return static_cast<double>(r.s.waiting);
    case SortKey::failed_rate: return r.failed_per_min.value_or(-1);
    case SortKey::completed_rate: return r.completed_per_min.value_or(-1);
    case SortKey::failed: return static_cast<double>(r.s.failed);
    case SortKey::oldest: return static_cast<double>(r.s.oldest_waiting_age_ms.value_or(-1));
    case SortKey::name: return 0;
  }
  return 0;
}

}  // namespace

QueueSample sample_of(const queue::QueueFigures& f, const queue::Verdict& v, const std::string& context) {
  QueueSample s;
  s.context = context;
  s.queue = f.ref.name;
  s.paused = f.shape.paused;
  s.waiting = f.ready();
  s.active = count_of(f.counts, "active");
  s.delayed = count_of(f.counts, "delayed");
  s.failed = count_of(f.counts, "failed");
  s.completed = count_of(f.counts, "completed");
  s.completed_in_window = f.completed.in_window;
  s.failed_in_window = f.failed.in_window;
  s.window_ms = f.window_ms;
  if (f.oldest_waiting_since && s.waiting > 0) s.oldest_waiting_age_ms = std::max<std::int64_t>(0, f.now_ms - *f.oldest_waiting_since);
  s.p95_ms = f.processing.p95;
  if (f.workers) s.workers = static_cast<std::int64_t>(f.workers->size());
  s.status = v.status;
  for (const auto& c : v.checks) {
    if (c.level != Status::ok) {
      s.finding = c.message;
      break;
    }
  }
  return s;
}

std::optional<double> rate_per_min(std::int64_t before, std::int64_t after, std::int64_t dt_ms) {
  if (dt_ms <= 0 || after < before) return std::nullopt;
  return static_cast<double>(after - before) * 60000.0 / static_cast<double>(dt_ms);
}

std::vector<QueueRow> Rates::update(const std::vector<QueueSample>& samples, std::int64_t at_ms) {
  std::vector<QueueRow> rows;
  std::map<std::pair<std::string, std::string>, Seen> seen;
  for (const auto& s : samples) {
    QueueRow r{s, window_rate(s.completed_in_window, s.window_ms), window_rate(s.failed_in_window, s.window_ms), true};
    auto key = std::make_pair(s.context, s.queue);
    if (auto it = prev_.find(key); it != prev_.end()) {
      const auto dt = at_ms - it->second.at_ms;
      auto done = rate_per_min(it->second.sample.completed, s.completed, dt);
      auto failed = rate_per_min(it->second.sample.failed, s.failed, dt);
      if (done && failed) {
        r.completed_per_min = done;
        r.failed_per_min = failed;
        r.rates_from_window = false;
      }
    }
    seen[key] = {at_ms, s};
    rows.push_back(std::move(r));
  }
  prev_ = std::move(seen);  // a queue that went away is forgotten
  return rows;
}

SortKey next(SortKey k) {
  switch (k) {
    case SortKey::status: return SortKey::waiting;
    case SortKey::waiting: return SortKey::failed_rate;
    case SortKey::failed_rate: return SortKey::completed_rate;
    case SortKey::completed_rate: return SortKey::failed;
    case SortKey::failed: return SortKey::oldest;
    case SortKey::oldest: return SortKey::name;
    case SortKey::name: return SortKey::status;
  }
  return SortKey::status;
}

std::string to_string(SortKey k) {
  switch (k) {
    case SortKey::status: return "status";
    case SortKey::name: return "name";
    case SortKey::waiting: return "waiting";
    case SortKey::failed_rate: return "failed/min";
    case SortKey::completed_rate: return "completed/min";
    case SortKey::failed: return "failed";
    case SortKey::oldest: return "oldest";
  }
  return "status";
}

std::vector<QueueRow> arrange(std::vector<QueueRow> rows, SortKey key, const std::string& filter) {
  const std::string f = lower(filter);
  if (!f.empty()) {
    std::erase_if(rows, [&](const QueueRow& r) {
      return lower(r.s.queue).find(f) == std::string::npos && lower(r.s.context).find(f) == std::string::npos;
    });
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const QueueRow& a, const QueueRow& b) {
    const double va = sort_value(a, key), vb = sort_value(b, key);
    if (va != vb) return va > vb;
    return std::tie(a.s.context, a.s.queue) < std::tie(b.s.context, b.s.queue);
  });
  return rows;
}

}  // namespace opsctl::top
