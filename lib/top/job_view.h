#pragma once
// The job view of `opsctl top` (`j` in the drill-down): one job with every field `opsctl job show`
// prints, wrapped to the screen and scrolled, among the jobs of the reason it was opened from
// (newest first; n/p walk them). Pure: unit-tested without a terminal.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "top/layout.h"

namespace opsctl::top {

struct JobPane {
  std::string queue;
  std::string reason;             // the failure reason the jobs were picked by
  std::vector<std::string> ids;   // the reason's sampled jobs, newest first
  std::size_t index = 0;          // the one shown
  std::size_t scroll = 0;         // first body line shown
  std::shared_ptr<const nlohmann::json> doc;  // queue::to_json of the job, once read (shared, not copied)
  bool gone = false;              // read, and no longer in the queue
  std::string error;              // the last read failed: why
  const std::string& id() const { return ids.at(index); }
};

// The job's text (as job show prints it, no colour) cut into lines of at most width bytes (the
// measure of every frame; a UTF-8 sequence is never split), tabs expanded; at most max_lines, the
// last then saying about how many more there are and how to see them all.
std::vector<std::string> job_body(const JobPane& p, int width, std::size_t max_lines = 2000);

// The frame: header, the job in one line (coloured by its state), its place among the reason's
// jobs, the body from p.scroll, the status line last. Exactly height lines when height > 0.
// body: job_body(p, width), which the caller may keep while the job and the width stay the same.
std::vector<Line> job_frame(const JobPane& p, const std::vector<std::string>& body, const Snapshot& s, const View& v,
                            int width, int height);
std::vector<Line> job_frame(const JobPane& p, const Snapshot& s, const View& v, int width, int height);

// How many rows of the body that screen shows (a page, for PgUp/PgDn).
std::size_t job_body_rows(const JobPane& p, const Snapshot& s, const View& v, int width, int height);
// The largest useful p.scroll for that screen (the last of body_rows at the bottom).
std::size_t job_scroll_max(const JobPane& p, std::size_t body_rows, const Snapshot& s, const View& v, int width, int height);
std::size_t job_scroll_max(const JobPane& p, const Snapshot& s, const View& v, int width, int height);

}  // namespace opsctl::top
