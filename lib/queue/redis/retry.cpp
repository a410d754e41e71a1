#include "queue/redis/retry.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "core/error.h"
#include "queue/redis/guard.h"
#include "queue/redis/retry_batch.h"

namespace opsctl::queue {
namespace {

constexpr std::int64_t page_size = 1000;  // ids read per page when the client filters

std::string max_score(const QueueRetryOptions& o) { return std::to_string(retry_window(o).max_score); }
std::string min_score(const QueueRetryOptions& o) { return std::to_string(retry_window(o).min_score); }

std::int64_t remaining(const QueueRetryOptions& o, std::int64_t matched) {
  return o.limit ? std::max<std::int64_t>(0, *o.limit - matched) : INT64_MAX;
}

// --name/--reason: pages read and matched here, the matching ids handed to the script in batches.
void retry_filtered(redis::Client& client, const RetryQueue& q, const QueueRetryOptions& o, const JobFilter& filter,
                    MutationResult& res, const RetryProgress& progress) {
  BatchSizer sizer;
  Tally tally(res, q, o.state);
  PageCursor cursor{min_score(o), 0};
  const std::string state_key = q.ref.key(o.state), max = max_score(o);
  for (;;) {
    auto page = read_page(client, state_key, cursor, max, page_size);
    classify_page(client, q, filter, page);
    std::vector<PageEntry> entries;
    std::vector<std::size_t> batch;  // indexes into page
    bool full = false;
    auto flush = [&] {
      if (batch.empty()) return;
      std::vector<std::string> tail{"ids"};
      for (auto i : batch) tail.push_back(page[i].id);
      auto b = run_batch(client, batch_command(client, q, o, tally.sample_wanted(), std::move(tail)));
      sizer.observe(b.server_ms);
      tally.add(b);
      // Moved and vanished jobs left the set; only the ones the script skipped stay.
      std::unordered_map<std::string, std::int64_t> codes;
      for (const auto& n : b.notes) codes[n.id] = n.code;
      for (auto i : batch) {
        auto it = codes.find(page[i].id);
        entries[i].stays = it != codes.end() && it->second < 0;
      }
      batch.clear();
      if (progress) progress(res.matched);
    };
    for (std::size_t i = 0; i < page.size(); ++i) {
      entries.push_back({page[i].score, true});
      if (full || remaining(o, res.matched + static_cast<std::int64_t>(batch.size())) == 0) {
        full = true;
        continue;
      }
      switch (page[i].verdict) {
        case PageJob::Verdict::filtered_out: break;
        case PageJob::Verdict::no_hash:
        case PageJob::Verdict::not_a_hash:
          tally.skip(page[i].id, page[i].verdict);
          break;
        case PageJob::Verdict::candidate:
          batch.push_back(i);
          if (static_cast<std::int64_t>(batch.size()) >= sizer.size()) flush();
          break;
      }
    }
    flush();
    if (full || static_cast<std::int64_t>(page.size()) < page_size) break;
    cursor = next_cursor(cursor, entries);
  }
}

}  // namespace

// In retry_range.cpp.
void retry_range(redis::Client& client, const RetryQueue& q, const QueueRetryOptions& o, MutationResult& res,
                 const RetryProgress& progress);

namespace {

class QueueRetry final : public mutation::Operation {
 public:
  QueueRetry(redis::Client& client, QueueRetryOptions o) : client_(client), o_(std::move(o)), filter_(o_) {}
  MutationResult plan() override;
  MutationResult apply(const RetryProgress& progress) override;

 private:
  const RetryQueue& queue() {
    if (!queue_) queue_ = open_retry_queue(client_, o_.ref);
    return *queue_;
  }
  MutationResult result() const {
    MutationResult r;
    r.action = "queue.retry";
    r.target = queue_target(client_, o_.ref);
    return r;
  }

  redis::Client& client_;
  const QueueRetryOptions o_;
  const JobFilter filter_;
  std::optional<RetryQueue> queue_;
};

MutationResult QueueRetry::plan() {
  const auto& o = o_;
  const RetryQueue& q = queue();
  MutationResult res = result();
  const std::string state_key = o.ref.key(o.state), max = max_score(o), min = min_score(o);
  if (!filter_.active()) {
    res.matched = std::min(client_.command({"ZCOUNT", state_key, min, max}).as_int().value_or(0), remaining(o, 0));
    auto n = std::min<std::int64_t>(res.matched, mutation_sample_size);
    if (n > 0) {
      for (auto& id : client_.command({"ZRANGEBYSCORE", state_key, min, max, "LIMIT", "0", std::to_string(n)}).elements) {
        res.add_sample(id.str);
      }
    }
    return res;
  }
  // Nothing moves during a plan: every job stays. (A plain LIMIT offset would make each page cost
  // O(offset) in Redis; the score cursor keeps pages O(log n).)
  PageCursor cursor{min, 0};
  for (;;) {
    auto page = read_page(client_, state_key, cursor, max, page_size);
    classify_page(client_, q, filter_, page);
    std::vector<PageEntry> entries;
    for (const auto& j : page) {
      entries.push_back({j.score, true});
      if (remaining(o, res.matched) == 0) return res;
      if (j.verdict == PageJob::Verdict::filtered_out) continue;
      ++res.matched;
      if (j.verdict == PageJob::Verdict::candidate) res.add_sample(j.id);
      else res.problems.push_back(skipped_problem(q, o.state, j.id, j.verdict));
    }
    if (static_cast<std::int64_t>(page.size()) < page_size) return res;
    cursor = next_cursor(cursor, entries);
  }
}

MutationResult QueueRetry::apply(const RetryProgress& progress) {
  const RetryQueue& q = queue();
  MutationResult res = result();
  interruptible(res, [&] {
    if (filter_.active()) retry_filtered(client_, q, o_, filter_, res, progress);
    else retry_range(client_, q, o_, res, progress);
  });
  return res;
}

}  // namespace

std::unique_ptr<mutation::Operation> open_queue_retry(redis::Client& client, QueueRetryOptions options) {
  return std::make_unique<QueueRetry>(client, std::move(options));
}

}  // namespace opsctl::queue
