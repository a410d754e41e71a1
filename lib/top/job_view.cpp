#include "top/job_view.h"

#include <algorithm>

#include <fmt/format.h>

#include "queue/job_text.h"
#include "util/text.h"

namespace opsctl::top {
namespace {

// The byte length of the UTF-8 sequence that starts with c (1 for a stray continuation byte).
std::size_t sequence_length(unsigned char c) {
  if (c >= 0xf0) return 4;
  if (c >= 0xe0) return 3;
  if (c >= 0xc0) return 2;
  return 1;
}

// One logical line cut into rows of at most width bytes, never inside a UTF-8 sequence.
void wrap_into(const std::string& line, std::size_t width, std::vector<std::string>& out) {
  if (line.empty()) {
    out.emplace_back();
    return;
  }
  std::string row;
  for (std::size_t i = 0; i < line.size();) {
    const std::size_t n = std::min(sequence_length(static_cast<unsigned char>(line[i])), line.size() - i);
    if (!row.empty() && row.size() + n > width) {
      out.push_back(std::move(row));
      row.clear();
    }
    row.append(line, i, n);
    i += n;
  }
  out.push_back(std::move(row));
}

std::string expand_tabs(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\t') out += "    ";
    else out += c;
  }
  return out;
}

// What the frame shows above the body, and below it.
struct Frame {
  std::vector<Line> top;
  std::string status;
};

Frame chrome(const JobPane& p, const Snapshot& s, const View& v, int width) {
  Frame f;
  f.top = header(s, v, "job " + p.id() + " of " + p.queue, width);
  if (p.doc) f.top.push_back({queue::job_summary(*p.doc), queue::state_status(*p.doc), true});
  else if (p.gone) f.top.push_back({fmt::format("job {} is gone from queue {}", p.id(), p.queue), Status::warning, true});
  else f.top.push_back({fmt::format("job {}: loading...", p.id())});
  if (!p.error.empty()) f.top.push_back({"read failed: " + p.error, Status::critical, true});
  f.top.push_back({fmt::format("job {} of {} with reason \"{}\" (newest first)", p.index + 1, p.ids.size(),
                               util::truncate_utf8(queue::printable(p.reason), 60)),
                   Status::ok, false, false, true});
  f.status = v.message;
  if (f.status.empty() && !v.read_only.empty()) f.status = "read-only: " + v.read_only;
  if (f.status.empty()) f.status = "Esc/j back  Up/Down PgUp/PgDn Space scroll  n/p newer/older job  r retry reason  R resume  u unstick";
  return f;
}

std::size_t visible_rows(const Frame& f, int height) {
  return static_cast<std::size_t>(std::max(0, height - 1 - static_cast<int>(f.top.size())));
}

}  // namespace

std::vector<std::string> job_body(const JobPane& p, int width, std::size_t max_lines) {
  std::vector<std::string> rows;
  if (!p.doc) return rows;
  const auto w = static_cast<std::size_t>(std::max(1, width));
  const std::string text = queue::job_text(*p.doc, false);
  std::size_t start = 0, more = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (max_lines > 0 && rows.size() >= max_lines) {
      more += std::max<std::size_t>(1, (end - start + w - 1) / w);  // rows past the cap: counted, not cut
    } else {
      wrap_into(expand_tabs(text.substr(start, end - start)), w, rows);
    }
    start = end + 1;
  }
  if (max_lines > 0 && rows.size() > max_lines) {
    more += rows.size() - max_lines;
    rows.resize(max_lines);
  }
  if (more > 0) {
    more += 1;  // the row the note takes
    rows.back() = fmt::format("... about {} more lines: opsctl job show {} {}", more, util::shell_quote(p.queue), util::shell_quote(p.id()));
  }
  return rows;
}

std::size_t job_body_rows(const JobPane& p, const Snapshot& s, const View& v, int width, int height) {
  return visible_rows(chrome(p, s, v, width), height);
}

std::size_t job_scroll_max(const JobPane& p, std::size_t body_rows, const Snapshot& s, const View& v, int width, int height) {
  const auto rows = job_body_rows(p, s, v, width, height);
  return body_rows > rows ? body_rows - rows : 0;
}

std::size_t job_scroll_max(const JobPane& p, const Snapshot& s, const View& v, int width, int height) {
  return job_scroll_max(p, job_body(p, width).size(), s, v, width, height);
}

std::vector<Line> job_frame(const JobPane& p, const std::vector<std::string>& body, const Snapshot& s, const View& v,
                            int width, int height) {
  Frame f = chrome(p, s, v, width);
  const auto rows = visible_rows(f, height);
  const auto first = height > 0 ? std::min(p.scroll, body.size() > rows ? body.size() - rows : 0) : 0;
  std::vector<Line> lines = std::move(f.top);
  for (std::size_t i = first; i < body.size(); ++i) lines.push_back({body[i]});
  if (height <= 0) return lines;
  lines = fit(std::move(lines), width, height - 1);
  lines.push_back({util::truncate_utf8(f.status, static_cast<std::size_t>(width))});
  return lines;
}

std::vector<Line> job_frame(const JobPane& p, const Snapshot& s, const View& v, int width, int height) {
  return job_frame(p, job_body(p, width), s, v, width, height);
}

}  // namespace opsctl::top
