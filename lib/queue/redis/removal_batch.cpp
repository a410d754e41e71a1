#include "queue/redis/removal_batch.h"

namespace opsctl::queue {

void RemovalBatch::record(std::chrono::microseconds elapsed, std::int64_t entries) {
  if (entries < min_size) return;
  costs_[next_] = static_cast<double>(elapsed.count()) / static_cast<double>(entries);
  next_ = (next_ + 1) % costs_.size();
  if (filled_ < costs_.size()) ++filled_;
  // Median of the costs seen (at most five): insertion sort of a copy.
  std::array<double, 5> sorted = costs_;
  for (std::size_t i = 1; i < filled_; ++i) {
    for (std::size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; --j) std::swap(sorted[j - 1], sorted[j]);
  }
  double per_entry = std::max(sorted[filled_ / 2], 0.01);
  auto want = static_cast<std::int64_t>(static_cast<double>(target.count()) / per_entry);
  size_ = std::clamp(std::min(want, size_ * 2), min_size, max_size);
}

}  // namespace opsctl::queue
