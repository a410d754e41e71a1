#include "queue/retry.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "core/error.h"
#include "queue/lua_scripts.h"
#include "queue/retry_page.h"

namespace opsctl::queue {
namespace {

constexpr std::int64_t page_size = 1000;  // ids read per page when the client filters

void check_options(const QueueRetryOptions& o) {
  if (o.state != "failed" && o.state != "completed") {
    throw usage_error(fmt::format("--state must be failed or completed, not '{}'", o.state));
  }
  if (o.limit && *o.limit < 1) throw usage_error("--limit must be at least 1");
}

std::string max_score(const QueueRetryOptions& o) { return std::to_string(o.now_ms - o.older_than_ms.value_or(0)); }

std::int64_t remaining(const QueueRetryOptions& o, std::int64_t matched) {
  return o.limit ? std::max<std::int64_t>(0, *o.limit - matched) : INT64_MAX;
}

struct BatchReply {
  std::vector<std::string> ids, scores;
  std::vector<std::int64_t> codes;
};

// One call of queue-retry.lua. `tail` is the mode and its arguments. The round trip, minus a
// plain PING's, tells the sizer how long Redis was busy.
BatchReply call_script(redis::Client& client, const RetryQueue& q, const QueueRetryOptions& o,
                       std::vector<std::string> tail, BatchSizer& sizer, double ping) {
  const auto& r = q.ref;
  std::vector<std::string> keys = {r.key(o.state), r.key("wait"),   r.key("paused"), r.key("meta"),
                                   r.key("active"), r.key("marker"), r.key("events")};
  std::vector<std::string> args = {r.base(), o.state, max_score(o), o.reset == ResetAttempts::yes ? "1" : "0",
                                   q.legacy_paused_list ? "1" : "0"};
  args.insert(args.end(), std::make_move_iterator(tail.begin()), std::make_move_iterator(tail.end()));
  auto t0 = std::chrono::steady_clock::now();
  auto reply = client.eval(lua::queue_retry, keys, args);
  sizer.observe(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() - ping);
  BatchReply out;
  if (reply.elements.size() != 4) throw unknown_error("queue-retry.lua: unexpected reply");
  for (auto& e : reply.elements[1].elements) out.ids.push_back(std::move(e.str));
  for (auto& e : reply.elements[2].elements) out.codes.push_back(e.integer);
  for (auto& e : reply.elements[3].elements) out.scores.push_back(std::move(e.str));
  return out;
}

// Counts one job the script handled into the result; returns whether it stays in the state set.
bool tally(MutationResult& res, const RetryQueue& q, const std::string& state, const std::string& id,
           std::int64_t code) {
  if (code == 0) return false;  // moved or removed by someone else meanwhile: not ours to count
  ++res.matched;
  if (code == 1) {
    ++res.changed;
    res.add_sample(id);
    return false;
  }
  res.problems.push_back(
      skipped_problem(q, state, id, code == -1 ? PageJob::Verdict::no_hash : PageJob::Verdict::not_a_hash));
  return true;
}

// No filter: the script reads each page itself, so no id travels twice.
void retry_range(redis::Client& client, const RetryQueue& q, const QueueRetryOptions& o, MutationResult& res,
                 const RetryProgress& progress) {
  BatchSizer sizer;
  double ping = ping_ms(client);
  PageCursor cursor;
  for (;;) {
    std::int64_t count = std::min(sizer.size(), remaining(o, res.matched));
    if (count == 0) break;
    auto b = call_script(client, q, o, {"range", cursor.min_score, std::to_string(cursor.offset),
                                        std::to_string(count)}, sizer, ping);
    std::vector<PageEntry> entries;
    for (std::size_t i = 0; i < b.ids.size(); ++i) {
      entries.push_back({b.scores[i], tally(res, q, o.state, b.ids[i], b.codes[i])});
    }
    cursor = next_cursor(cursor, entries);
    if (progress) progress(res.matched);
    if (static_cast<std::int64_t>(b.ids.size()) < count) break;
  }
}

// --name/--reason: pages read and matched here, the matching ids handed to the script in batches.
void retry_filtered(redis::Client& client, const RetryQueue& q, const QueueRetryOptions& o, const JobFilter& filter,
                    MutationResult& res, const RetryProgress& progress) {
  BatchSizer sizer;
  double ping = ping_ms(client);
  PageCursor cursor;
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
      auto b = call_script(client, q, o, std::move(tail), sizer, ping);
      for (std::size_t k = 0; k < batch.size(); ++k) entries[batch[k]].stays = tally(res, q, o.state, page[batch[k]].id, b.codes[k]);
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
          ++res.matched;
          res.problems.push_back(skipped_problem(q, o.state, page[i].id, page[i].verdict));
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

MutationResult plan_queue_retry(redis::Client& client, const QueueRetryOptions& o) {
  check_options(o);
  JobFilter filter(o);
  auto q = open_retry_queue(client, o.ref);
  MutationResult res;
  const std::string state_key = o.ref.key(o.state), max = max_score(o);
  if (!filter.active()) {
    res.matched = std::min(client.command({"ZCOUNT", state_key, "0", max}).as_int().value_or(0), remaining(o, 0));
    auto n = std::min<std::int64_t>(res.matched, mutation_sample_size);
    if (n > 0) {
      for (auto& id : client.command({"ZRANGEBYSCORE", state_key, "0", max, "LIMIT", "0", std::to_string(n)}).elements) {
        res.add_sample(id.str);
      }
    }
    return res;
  }
  // Nothing moves during a plan, so a plain offset pages the set.
  PageCursor cursor;
  for (;;) {
    auto page = read_page(client, state_key, cursor, max, page_size);
    classify_page(client, q, filter, page);
    for (const auto& j : page) {
      if (remaining(o, res.matched) == 0) return res;
      if (j.verdict == PageJob::Verdict::filtered_out) continue;
      ++res.matched;
      if (j.verdict == PageJob::Verdict::candidate) res.add_sample(j.id);
      else res.problems.push_back(skipped_problem(q, o.state, j.id, j.verdict));
    }
    if (static_cast<std::int64_t>(page.size()) < page_size) return res;
    cursor.offset += page_size;
  }
}

MutationResult queue_retry(redis::Client& client, const QueueRetryOptions& o, const RetryProgress& progress) {
  check_options(o);
  JobFilter filter(o);
  auto q = open_retry_queue(client, o.ref);
  MutationResult res;
  if (filter.active()) retry_filtered(client, q, o, filter, res, progress);
  else retry_range(client, q, o, res, progress);
  return res;
}

}  // namespace opsctl::queue
