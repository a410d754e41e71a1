#include "cmd/top/feed.h"

#include <chrono>

#include "util/redact.h"

namespace opsctl::cmd::top_view {

void fetch_loop(Shared& sh, Fetcher& fetcher, std::int64_t interval_ms) {
  top::Snapshot snap;
  std::uint64_t seen = 0;
  for (;;) {
    Tab tab;
    std::string context, queue, job_id;
    std::shared_ptr<const nlohmann::json> shown;  // the job the view has now
    {
      std::lock_guard lock(sh.mu);
      if (sh.stop) return;
      tab = sh.tab;
      context = sh.context;
      queue = sh.queue;
      job_id = sh.job_id;
      if (sh.job_read == job_id) shown = sh.job;
      seen = sh.asked;
    }
    fetcher.tick(snap);
    std::optional<top::Drill> drill;
    std::optional<db::PoolReport> pool;
    std::optional<nlohmann::json> job;
    std::string error;
    const bool job_view = tab == Tab::drill && !job_id.empty();
    try {
      if (job_view) job = fetcher.job(context, queue, job_id);
      else if (tab == Tab::drill) drill = fetcher.drill(context, queue);
      if (tab == Tab::db) pool = fetcher.pool(context);
    } catch (const std::exception& e) {
      error = util::redact(e.what());
    }
    fetcher.drain_stderr();  // warnings cannot go to a full-screen terminal
    // Compared outside the lock: an unchanged job keeps its document (and the UI its wrapped text).
    std::shared_ptr<const nlohmann::json> read;
    if (job) read = shown && *shown == *job ? shown : std::make_shared<const nlohmann::json>(std::move(*job));
    std::unique_lock lock(sh.mu);
    sh.snap = snap;
    if (job_view) {
      // Published only while the view still asks for that job of that queue.
      if (sh.job_id == job_id && sh.queue == queue && sh.tab == Tab::drill) {
        if (error.empty()) {  // on an error the last read of this job stays (forget_job cleared any other)
          sh.job_gone = !read;
          sh.job = std::move(read);
        }
        sh.job_read = job_id;
        sh.job_error = error;
      }
    } else {
      if (drill || tab != Tab::drill) sh.drill = std::move(drill);  // the drill-down stays as it was under the job view
      sh.detail_error = error;
    }
    if (pool || tab != Tab::db) sh.pool = std::move(pool);
    ++sh.fetched;
    sh.wake.wait_for(lock, std::chrono::milliseconds(interval_ms), [&] { return sh.stop || sh.asked != seen; });
    if (sh.stop) return;
  }
}

}  // namespace opsctl::cmd::top_view
