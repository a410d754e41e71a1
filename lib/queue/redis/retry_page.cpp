#include "queue/redis/retry_page.h"

#include <fmt/format.h>

#include "core/error.h"

namespace opsctl::queue {

std::vector<PageJob> read_page(redis::Client& client, const std::string& state_key,
                               const PageCursor& cursor, const std::string& max_score, std::int64_t count) {
  auto reply = client.command({"ZRANGEBYSCORE", state_key, cursor.min_score, max_score, "WITHSCORES", "LIMIT",
                               std::to_string(cursor.offset), std::to_string(count)});
  std::vector<PageJob> page;
  page.reserve(reply.elements.size() / 2);
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    page.push_back({reply.elements[i].str, reply.elements[i + 1].str});
  }
  return page;
}

void classify_page(redis::Client& client, const RetryQueue& q, const JobFilter& filter, std::vector<PageJob>& page) {
  if (!filter.active()) return;
  std::vector<redis::Command> cmds;
  cmds.reserve(page.size());
  for (const auto& j : page) cmds.push_back({"HMGET", q.ref.job_key(j.id), "name", "failedReason"});
  auto replies = client.pipeline(cmds);
  std::vector<std::size_t> unsure;  // neither field: a hash without them, or no hash at all
  for (std::size_t i = 0; i < page.size(); ++i) {
    const auto& r = replies[i];
    if (r.is_error()) {
      page[i].verdict = PageJob::Verdict::not_a_hash;
      continue;
    }
    auto name = r.elements.size() == 2 ? r.elements[0].as_string() : std::nullopt;
    auto reason = r.elements.size() == 2 ? r.elements[1].as_string() : std::nullopt;
    if (!name && !reason) unsure.push_back(i);
    if (!filter.matches(name, reason)) page[i].verdict = PageJob::Verdict::filtered_out;
  }
  if (unsure.empty()) return;
  cmds.clear();
  for (auto i : unsure) cmds.push_back({"EXISTS", q.ref.job_key(page[i].id)});
  auto exists = client.pipeline(cmds);
  for (std::size_t k = 0; k < unsure.size(); ++k) {
    if (exists[k].as_int().value_or(1) == 0) page[unsure[k]].verdict = PageJob::Verdict::no_hash;
  }
}

Problem skipped_problem(const RetryQueue& q, const std::string& state, const std::string& id, PageJob::Verdict why) {
  std::string key = q.ref.job_key(id);
  if (why == PageJob::Verdict::no_hash) {
    return {id, key, "", fmt::format("id {} is in {} but has no job hash: left there (a worker would run it "
                                     "with no name and empty data)", id, state)};
  }
  return {id, key, "", fmt::format("key {} is not a hash: job {} left in {}", key, id, state)};
}

}  // namespace opsctl::queue
