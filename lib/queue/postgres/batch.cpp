// What every PostgreSQL transition shares: the bounded transaction of one batch, the id lists it
// passes, the result it starts from (docs/bullmq-postgres.md section 6, common rules).
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "queue/postgres/mutate.h"

namespace opsctl::queue::pgq {

void Pacer::took(std::int64_t jobs, std::chrono::nanoseconds elapsed) {
  if (jobs <= 0) return;
  const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  samples_.push_back({static_cast<double>(jobs), ms});
  if (samples_.size() > 8) samples_.erase(samples_.begin());
  // Least squares of ms = fixed + per_job * jobs over the last batches, renewed only when their
  // sizes spread enough for a slope to mean something (20 %); otherwise the last fit stands.
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, lo = samples_.front().first, hi = lo;
  for (const auto& [x, y] : samples_) {
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  const bool spread = n >= 3 && hi >= 1.2 * lo;
  if (spread) {
    // No rise with size (a slope of zero or less, in noise) means the time is the call's own.
    const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    fixed_ = slope > 0 ? std::max(0.0, (sy - slope * sx) / n) : sy / n;
    fitted_ = true;
  }
  // This batch's time, less the fixed part the fit knows of (none yet: all of it is per job).
  const double fixed = fitted_ ? std::min(fixed_, ms) : 0.0;
  const double per_job = std::max((ms - fixed) / static_cast<double>(jobs), 1e-6);
  // A call that costs `fixed` whatever its size holds its locks that long anyway: then a batch
  // may take half as long again as that, and fewer calls pay it less often.
  const double allowed = std::max<double>(kBatchTargetMs, 1.5 * fixed);
  const double current = static_cast<double>(size_);
  const auto bounded = [](double x) { return std::clamp(static_cast<std::int64_t>(x), kBatchMin, kBatchMax); };
  std::int64_t next = bounded(std::clamp((allowed - fixed) / per_job, current / 2, current * 2));
  // Eight batches of one size cannot renew the fit: move a little so the next ones can.
  if (!spread && samples_.size() == 8 && next == size_) next = bounded(current * (size_ < kBatchMax ? 1.25 : 0.8));
  size_ = next;
}

std::chrono::nanoseconds in_batch(Db& db, const std::function<void()>& body) {
  const auto start = std::chrono::steady_clock::now();
  auto& c = db.conn();
  const auto timeout = c.timeout().count();
  pg::Transaction tx(c, "BEGIN READ WRITE");  // the session defaults to read-only transactions
  // SET LOCAL through set_config(..., true): values as parameters, undone at COMMIT/ROLLBACK.
  c.query("SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true),"
          " set_config('idle_in_transaction_session_timeout', $3, true)",
          {std::to_string(timeout), std::to_string(std::min<std::int64_t>(timeout, 2000)),
           std::to_string(std::max<std::int64_t>(timeout * 2, 30000))});
  body();
  tx.commit();
  return std::chrono::steady_clock::now() - start;
}

std::string json_ids(const std::vector<std::string>& ids) { return nlohmann::json(ids).dump(); }

MutationResult start_result(Db& db, const char* action, const QueueRef& ref, QueueShape* shape) {
  QueueShape sh = db.shape(ref);
  if (!sh.exists) db.throw_not_found(ref);
  if (shape) *shape = std::move(sh);
  MutationResult r;
  r.action = action;
  r.target = fmt::format("{} {}", db.target(), ref.display());
  return r;
}

}  // namespace opsctl::queue::pgq
