#pragma once
// Batch sizing for the removal scripts (queue clear, clear --all): no single script call may block
// Redis for more than a few milliseconds, whatever a job costs to remove (a parent with sub-keys,
// a dedup entry, a flow parent released). The size grows while calls are quick and shrinks as soon
// as one is slow; the caller measures each call's round trip and reports it.
#include <algorithm>
#include <chrono>
#include <cstdint>

namespace opsctl::queue {

class RemovalBatch {
 public:
  // Round trips below `grow_below` double the size, above `shrink_above` halve it.
  static constexpr std::chrono::microseconds grow_below{1000};
  static constexpr std::chrono::microseconds shrink_above{2000};
  static constexpr std::int64_t min_size = 16;
  static constexpr std::int64_t max_size = 2000;

  explicit RemovalBatch(std::int64_t initial = 128) : size_(std::clamp(initial, min_size, max_size)) {}

  std::int64_t size() const { return size_; }

  // Feeds back one call: how long it took and whether it used the whole batch (a short final
  // batch says nothing about the cost of a full one).
  void record(std::chrono::microseconds elapsed, bool full) {
    if (elapsed > shrink_above) {
      size_ = std::max(min_size, size_ / 2);
    } else if (full && elapsed < grow_below) {
      size_ = std::min(max_size, size_ * 2);
    }
  }

 private:
  std::int64_t size_;
};

}  // namespace opsctl::queue
