#include "top/layout.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "queue/checks.h"
#include "util/text.h"

namespace opsctl::top {
namespace {

// One column of the queues tab: the lower its rank, the longer it stays as the screen narrows.
struct Column {
  std::string title;
  int width;
  bool right;
  int rank;
  std::function<std::string(const QueueRow&)> cell;
};

std::vector<Column> all_columns(bool show_context) {
  std::vector<Column> c;
  if (show_context) c.push_back({"CONTEXT", 12, false, 1, [](const QueueRow& r) { return r.s.context; }});
  c.push_back({"QUEUE", 18, false, 0, [](const QueueRow& r) { return r.s.queue + (r.s.paused ? " (paused)" : ""); }});
  c.push_back({"STATUS", 8, false, 0, [](const QueueRow& r) { return std::string(to_upper(r.s.status)); }});
  c.push_back({"WAIT", 6, true, 1, [](const QueueRow& r) { return compact(r.s.waiting); }});
  c.push_back({"ACTIVE", 6, true, 2, [](const QueueRow& r) { return compact(r.s.active); }});
  c.push_back({"DELAY", 6, true, 3, [](const QueueRow& r) { return compact(r.s.delayed); }});
  c.push_back({"FAILED", 6, true, 1, [](const QueueRow& r) { return compact(r.s.failed); }});
  c.push_back({"DONE", 6, true, 5, [](const QueueRow& r) { return compact(r.s.completed); }});
  c.push_back({"DONE/m", 7, true, 2, [](const QueueRow& r) { return rate_text(r.completed_per_min); }});
  c.push_back({"FAIL/m", 7, true, 1, [](const QueueRow& r) { return rate_text(r.failed_per_min); }});
  c.push_back({"OLDEST", 7, true, 2, [](const QueueRow& r) { return age_cell(r.s.oldest_waiting_age_ms); }});
  c.push_back({"P95", 6, true, 4, [](const QueueRow& r) { return age_cell(r.s.p95_ms); }});
  c.push_back({"WRK", 4, true, 3, [](const QueueRow& r) { return r.s.workers ? compact(*r.s.workers) : "?"; }});
  return c;
}

int total_width(const std::vector<Column>& cols) {
  int w = 0;
  for (const auto& c : cols) w += c.width + 1;
  return w;
}

// The columns that fit in width, in their order; what is left goes to FINDING when wide enough.
std::vector<Column> fitting(std::vector<Column> cols, int width) {
  while (total_width(cols) > width && cols.size() > 2) {
    auto worst = std::max_element(cols.begin(), cols.end(), [](const Column& a, const Column& b) { return a.rank < b.rank; });
    if (worst->rank == 0) break;
    cols.erase(worst);
  }
  return cols;
}

std::string cell(std::string text, int width, bool right) {
  if (static_cast<int>(text.size()) > width) text = util::truncate_utf8(text, static_cast<std::size_t>(std::max(1, width - 1))) + "~";
  const auto pad = static_cast<std::size_t>(std::max(0, width - static_cast<int>(text.size())));
  return right ? std::string(pad, ' ') + text : text + std::string(pad, ' ');
}

std::string rtrim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

std::string compact(std::int64_t n) {
  const double a = std::abs(static_cast<double>(n));
  if (a < 1000) return std::to_string(n);
  if (a < 10000) return fmt::format("{:.1f}k", n / 1000.0);
  if (a < 1000000) return fmt::format("{}k", n / 1000);
  if (a < 10000000) return fmt::format("{:.1f}M", n / 1000000.0);
  return fmt::format("{}M", n / 1000000);
}

std::string rate_text(const std::optional<double>& per_min) {
  if (!per_min) return "-";
  if (*per_min < 10) return fmt::format("{:.1f}", *per_min);
  return compact(static_cast<std::int64_t>(std::llround(*per_min)));
}

std::string age_cell(const std::optional<std::int64_t>& ms) {
  if (!ms) return "-";
  const std::int64_t s = *ms / 1000;
  if (*ms < 1000) return fmt::format("{}ms", *ms);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{:02}h", s / 86400, (s % 86400) / 3600);
}

bool is_stale(const Snapshot& s, const View& v) {
  if (!s.error.empty()) return true;
  return s.good_at_ms > 0 && v.now_ms - s.good_at_ms > 2 * v.interval_ms + 1000;
}

std::string freshness(const Snapshot& s, const View& v) {
  if (s.good_at_ms == 0) return s.error.empty() ? "waiting for the first data" : "NO DATA: " + s.error;
  const auto age = std::max<std::int64_t>(0, v.now_ms - s.good_at_ms);
  if (!is_stale(s, v)) return fmt::format("updated {} ago", queue::age_text(age));
  return fmt::format("STALE: last data {} ago{}", queue::age_text(age), s.error.empty() ? " (fetch is slow)" : " (" + s.error + ")");
}

std::vector<Line> header(const Snapshot& s, const View& v, const std::string& tab, int width) {
  std::vector<Line> out;
  std::string title = fmt::format("opsctl top [{}]  {}  every {}", tab, v.target, queue::age_text(v.interval_ms));
  out.push_back({title, Status::ok, false, false, true});
  Line fresh{freshness(s, v), is_stale(s, v) ? Status::critical : Status::ok, is_stale(s, v)};
  if (!is_stale(s, v)) fresh.text += fmt::format(" in {}ms  verdict {}", s.fetch_ms, to_upper(s.status));
  out.push_back(fresh);
  std::string keys = "q quit  ? help  / filter  s sort  Enter drill  Tab db";
  if (!v.filter.empty() || v.editing_filter) keys = fmt::format("filter: {}{}  ", v.filter, v.editing_filter ? "_" : "") + keys;
  keys += "  sort: " + to_string(v.sort);
  out.push_back({keys});
  for (auto& l : out) l.text = util::truncate_utf8(l.text, static_cast<std::size_t>(width));
  return out;
}

std::vector<Line> queues_frame(const Snapshot& s, const View& v, int width, int height) {
  auto lines = header(s, v, "queues", width);
  for (const auto& [ctx, err] : s.context_errors) lines.push_back({fmt::format("context {}: {}", ctx, err), Status::critical, true});
  const auto cols = fitting(all_columns(v.show_context), width);
  const int finding_width = width - total_width(cols);
  std::string head;
  for (const auto& c : cols) head += cell(c.title, c.width, c.right) + " ";
  if (finding_width >= 10) head += "FINDING";
  lines.push_back({rtrim(head), Status::ok, false, false, true});
  const auto rows = arrange(s.rows, v.sort, v.filter);
  if (rows.empty()) lines.push_back({s.good_at_ms == 0 ? "" : (v.filter.empty() ? "no queues under this prefix" : "no queue matches the filter")});
  // Scroll so the selected row stays on screen above the status line.
  const int room = height > 0 ? std::max(1, height - static_cast<int>(lines.size()) - 1) : static_cast<int>(rows.size());
  const std::size_t first = v.selected >= static_cast<std::size_t>(room) ? v.selected - room + 1 : 0;
  for (std::size_t i = first; i < rows.size() && i < first + static_cast<std::size_t>(room); ++i) {
    std::string text;
    for (const auto& c : cols) text += cell(c.cell(rows[i]), c.width, c.right) + " ";
    if (finding_width >= 10) text += util::truncate_utf8(rows[i].s.finding, static_cast<std::size_t>(finding_width));
    lines.push_back({rtrim(text), rows[i].s.status, true, i == v.selected && height > 0});
  }
  if (height <= 0) return lines;
  std::string status = v.message;
  if (status.empty() && !v.read_only.empty()) status = "read-only: " + v.read_only;
  lines = fit(std::move(lines), width, height - 1);
  lines.push_back({util::truncate_utf8(status, static_cast<std::size_t>(width))});
  return lines;
}

const std::vector<std::string>& key_help() {
  static const std::vector<std::string> keys{
      "  q          quit (Esc: back from a drill-down, the db tab or the key help)",
      "  ?          the key help screen (? or Esc again: back where you were)",
      "  /          filter queues by name (Enter keeps it, Esc clears it)",
      "  s          next sort key: status, waiting, failed/min, completed/min, failed, oldest, name",
      "  Up/Down    select a queue (also k/j on the queues tab)",
      "  Enter      drill into the selected queue: failures by reason, active, delayed, schedulers",
      "  Tab        database tab: slots by state, long transactions, idle in transaction, blockers",
      "  r          drill-down: retry the failed jobs of the selected reason",
      "  R          resume the selected (paused) queue",
      "  u          drill-down: unstick active jobs whose lock is gone",
      "  j          drill-down: the job view of the selected reason's newest job (every job show field);",
      "             there Up/Down/PgUp/PgDn/Space scroll, n/p newer/older job of the reason,",
      "             r/R/u as in the drill-down, j or Esc back",
      "  t          db tab: terminate the selected session",
      "",
      "Actions preview what they would change and ask before they change it, as the commands do",
      "(Ctrl-C in a dialog confirms nothing and ends the view);",
      "a read_only context disables them. Every action appends a line to the audit log."};
  return keys;
}

std::vector<Line> help_frame(int width, int height) {
  std::vector<Line> lines{{"opsctl top: keys", Status::ok, false, false, true}, {""}};
  for (const auto& k : key_help()) lines.push_back({k});
  return fit(std::move(lines), width, height);
}

std::vector<Line> fit(std::vector<Line> lines, int width, int height) {
  for (auto& l : lines) l.text = util::truncate_utf8(l.text, static_cast<std::size_t>(std::max(0, width)));
  if (height > 0) lines.resize(static_cast<std::size_t>(height));
  return lines;
}

std::string to_text(const std::vector<Line>& lines) {
  std::string out;
  for (const auto& l : lines) out += rtrim(l.text) + "\n";
  return out;
}

}  // namespace opsctl::top
