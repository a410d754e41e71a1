// `queue retry` on PostgreSQL (docs/bullmq-postgres.md 6.2): the jobs of a finished state in the
// --since/--older-than window, oldest finished first, each through BullMQ's reprocess_job (the
// end state of Job.retry(state): waiting or prioritized, front when lifo, attempts kept unless
// --reset-attempts, a `waiting` event, the flow child back in its parent's pending dependencies,
// NOTIFY bullmq_jobs so idle workers take them at once).
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "queue/job_filter.h"
#include "queue/postgres/mutate.h"

namespace opsctl::queue::pgq {
namespace {

struct Candidate {
  std::string id;
  std::optional<std::string> reason;
};

class Retry final : public mutation::Operation {
 public:
  Retry(Db& db, QueueRetryOptions o) : db_(db), o_(std::move(o)), filter_(o_), window_(retry_window(o_)) {}

  MutationResult plan() override {
    MutationResult r = start_result(db_, "queue.retry", o_.ref);
    walk([] { return kPage; }, [&](std::vector<Candidate>& page) {
      for (const auto& c : page) {
        ++r.matched;
        r.add_sample(c.id);
      }
    }, r.matched);
    return r;
  }

  MutationResult apply(const mutation::Progress& progress) override {
    MutationResult r = start_result(db_, "queue.retry", o_.ref);
    Pacer pacer;
    interruptible(r, [&] {
      walk([&] { return pacer.size(); }, [&](std::vector<Candidate>& page) {
        pacer.took(static_cast<std::int64_t>(page.size()), in_batch(db_, [&] { retry_page(page, r); }));
        if (progress) progress(r.matched);
      }, r.matched);
    });
    return r;
  }

 private:
  static constexpr std::int64_t kPage = 5000;  // ids read per page by a plan (nothing locked)

  std::int64_t left(std::int64_t done) const { return o_.limit ? std::max<std::int64_t>(0, *o_.limit - done) : INT64_MAX; }

  // Pages of matching jobs in (finished_at_ms, id) order, read without locks and filtered here
  // (--reason is opsctl's regex); on_page sees at most what --limit leaves. done: jobs taken so far.
  // size() is asked before each page.
  void walk(const std::function<std::int64_t()>& size_of_page, const std::function<void(std::vector<Candidate>&)>& on_page,
            const std::int64_t& done) {
    const std::string S = db_.qualified(o_.ref.prefix);
    const std::string sql = fmt::format(
        "SELECT id, name, failed_reason, finished_at_ms FROM {0}.job WHERE queue = $1 AND state = $2::{0}.job_state"
        " AND finished_at_ms <= $3::bigint AND finished_at_ms >= $4::bigint AND ($5::text IS NULL OR name = $5)"
        " AND ($6::bigint IS NULL OR (finished_at_ms, id) > ($6::bigint, $7::text))"
        " ORDER BY finished_at_ms, id LIMIT $8::bigint",
        S);
    pg::Param after_ms, after_id;
    for (;;) {
      if (left(done) == 0) return;
      const std::int64_t size = size_of_page();
      auto rows = db_.query(sql, {o_.ref.name, o_.state, std::to_string(window_.max_score),
                                  std::to_string(window_.min_score), o_.name, after_ms, after_id, std::to_string(size)});
      std::vector<Candidate> page;
      each_row(rows, [&](const pg::Row& row) {
        if (static_cast<std::int64_t>(page.size()) >= left(done)) return;
        if (filter_.matches(row.value("name"), row.value("failed_reason"))) {
          page.push_back({row.text("id"), row.value("failed_reason")});
        }
      });
      if (!page.empty()) on_page(page);
      if (static_cast<std::int64_t>(rows.rows.size()) < size) return;
      pg::Row last(rows, rows.rows.size() - 1);
      after_ms = last.text("finished_at_ms");
      after_id = last.text("id");
    }
  }

  // One batch, inside its transaction: lock the candidates that still match (skipping rows a
  // worker holds), then reprocess_job on each in the order picked.
  void retry_page(const std::vector<Candidate>& page, MutationResult& r) {
    const std::string S = db_.qualified(o_.ref.prefix);
    nlohmann::json picked = nlohmann::json::array();
    for (const auto& c : page) picked.push_back({c.id, c.reason ? nlohmann::json(*c.reason) : nlohmann::json()});
    auto locked = db_.query(
        fmt::format("SELECT j.id, COALESCE((j.opts->>'lifo')::boolean, false) AS lifo FROM {0}.job j"
                    " JOIN jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(e, ord) ON j.id = t.e->>0"
                    " WHERE j.queue = $1 AND j.state = $3::{0}.job_state AND j.finished_at_ms <= $4::bigint"
                    " AND j.finished_at_ms >= $5::bigint AND (NOT $6::boolean OR j.failed_reason IS NOT DISTINCT FROM t.e->>1)"
                    " ORDER BY t.ord FOR UPDATE OF j SKIP LOCKED",
                    S),
        {o_.ref.name, picked.dump(), o_.state, std::to_string(window_.max_score), std::to_string(window_.min_score),
         o_.reason ? "true" : "false"});
    nlohmann::json todo = nlohmann::json::array();
    each_row(locked, [&](const pg::Row& row) { todo.push_back({row.text("id"), row.boolean("lifo")}); });
    r.matched += static_cast<std::int64_t>(page.size());
    if (todo.empty()) return;
    const char* reset = o_.reset == ResetAttempts::yes ? "true" : "false";
    auto codes = db_.query(fmt::format("SELECT t.e->>0 AS id, {0}.reprocess_job($1, t.e->>0, $2, (t.e->>1)::boolean,"
                                       " $3::boolean, $3::boolean) AS code"
                                       " FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS t(e, ord)",
                                       S),
                           {o_.ref.name, o_.state, reset, todo.dump()});
    each_row(codes, [&](const pg::Row& row) {
      if (row.integer("code").value_or(0) != 1) return;
      ++r.changed;
      r.add_sample(row.text("id"));
    });
  }

  Db& db_;
  const QueueRetryOptions o_;
  const JobFilter filter_;
  const FinishedWindow window_;
};

}  // namespace

std::unique_ptr<mutation::Operation> open_retry(Db& db, const QueueRetryOptions& o) {
  return std::make_unique<Retry>(db, o);
}

}  // namespace opsctl::queue::pgq
