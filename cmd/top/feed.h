#pragma once
// Between the two threads of the live view: what the UI asks the fetch thread for (the tab, the
// drill-down's queue, the job of the job view) and what each fetch gives back, under one mutex.
// The fetch thread (fetch_loop) reads every interval, or at once when asked, and never touches the
// terminal; the UI thread (view.cpp) reads nothing for the view itself: only the actions the person
// takes run there, on the session of their own.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cmd/top/fetch.h"

namespace opsctl::cmd::top_view {

enum class Tab { queues, drill, db, help };

// What the fetch thread is asked for and what it gives back; guarded by mu.
struct Shared {
  std::mutex mu;
  std::condition_variable wake;
  bool stop = false;
  Tab tab = Tab::queues;
  std::string context, queue;  // the drill-down's queue; the db tab's context
  std::uint64_t asked = 0;     // bumped to fetch now (a new drill-down, after an action)
  std::uint64_t fetched = 0;   // bumped by each fetch: the screen has something new
  top::Snapshot snap;
  std::optional<top::Drill> drill;
  std::optional<db::PoolReport> pool;
  std::string detail_error;    // the drill-down's or the db tab's last failure
  // The job view over the drill-down: the job asked for (in sh.queue), and what its last read gave.
  std::string job_id;
  std::string job_read;        // the id job/job_gone/job_error are about ("": nothing read yet)
  std::shared_ptr<const nlohmann::json> job;  // replaced only when the job changed: the UI keys its wrapped text on it
  bool job_gone = false;
  std::string job_error;       // the last read of that job failed: why

  void forget_job() {
    job_read.clear();
    job.reset();
    job_gone = false;
    job_error.clear();
  }
};

// Until sh.stop: one tick of every queue, plus the drill-down, the job or the pool the tab shows,
// then a wait of interval_ms (cut short when sh.asked changes).
void fetch_loop(Shared& sh, Fetcher& fetcher, std::int64_t interval_ms);

}  // namespace opsctl::cmd::top_view
