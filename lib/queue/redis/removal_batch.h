#pragma once
// Batch sizing for the removal scripts (queue clear, clear --all): no single script call may block
// Redis for more than a few milliseconds, whatever a job costs to remove (a parent with sub-keys,
// a dedup entry, a flow parent released). The caller times each call and reports it; the size aims
// at `target` from the median cost per entry of the last five calls, so one call slowed down by the
// machine (Redis descheduled for a moment) does not shrink the batches for good.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace opsctl::queue {

class RemovalBatch {
 public:
  static constexpr std::chrono::microseconds target{1500};
  static constexpr std::int64_t min_size = 16;
  static constexpr std::int64_t max_size = 2000;

  explicit RemovalBatch(std::int64_t initial = 128) : size_(std::clamp(initial, min_size, max_size)) {}

  std::int64_t size() const { return size_; }

  // Feeds back one call: its round trip and how many entries it handled. Calls with fewer than
  // min_size entries say too little about the cost of one (the round trip dominates) and are ignored.
  // The size at most doubles per call.
  void record(std::chrono::microseconds elapsed, std::int64_t entries);

 private:
  std::int64_t size_;
  std::array<double, 5> costs_{};
  std::size_t next_ = 0;
  std::size_t filled_ = 0;
};

}  // namespace opsctl::queue
