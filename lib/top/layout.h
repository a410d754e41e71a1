#pragma once
// The frames of `opsctl top` as lines of text for a width x height screen, with no terminal: the
// ncurses view (cmd/top/screen.cpp) draws them, --once prints them, unit tests read them. 80x24 is
// the minimum; narrower screens drop the least useful columns first.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "top/model.h"

namespace opsctl::top {

// What the last fetches gave: the rows of the last good one, and the error of the last one if it failed.
struct Snapshot {
  std::vector<QueueRow> rows;
  std::vector<std::pair<std::string, std::string>> context_errors;  // context, message (fleet runs)
  std::int64_t good_at_ms = 0;   // when the last good fetch ended (0: none yet)
  std::int64_t tried_at_ms = 0;  // when the last fetch ended
  std::int64_t fetch_ms = 0;     // how long the last fetch took
  std::string error;             // the last fetch failed: why ("" when it worked)
  Status status = Status::ok;    // the worst verdict (critical when the target or a context failed)
};

// What the person sees around the data.
struct View {
  std::string target;          // "redis 127.0.0.1:6379 prefix bull" or "3 contexts"
  std::int64_t interval_ms = 2000;
  std::int64_t now_ms = 0;     // this machine's clock
  SortKey sort = SortKey::status;
  std::string filter;
  bool editing_filter = false;
  std::size_t selected = 0;    // index into the arranged rows
  std::string message;         // the status line: last action's outcome, a refusal, a hint
  std::string read_only;       // non-empty: actions are disabled, and why
  bool show_context = false;   // a CONTEXT column (several contexts)
};

struct Line {
  std::string text;
  Status level = Status::ok;  // verdict colour of the line
  bool coloured = false;      // level applies (data rows and findings)
  bool selected = false;      // the cursor's row
  bool bold = false;          // headers
};

// Stale when the last fetch failed or none ended within two intervals (plus a second of slack).
bool is_stale(const Snapshot& s, const View& v);
// "updated 1s ago", "STALE: last data 14s ago (redis ...: connection refused)", "waiting for the first data".
std::string freshness(const Snapshot& s, const View& v);
// The header lines every frame starts with: title, target, interval, freshness, keys.
std::vector<Line> header(const Snapshot& s, const View& v, const std::string& tab, int width);

// The queues tab: header, column titles, one line per arranged row (scrolled to keep the selection
// on screen), the status line last. Exactly height lines when height > 0, else every row.
std::vector<Line> queues_frame(const Snapshot& s, const View& v, int width, int height);

// The keys of the live view, one line each: the help screen and `opsctl top --help` show them.
const std::vector<std::string>& key_help();
// The help screen (`?`).
std::vector<Line> help_frame(int width, int height);

// Fits lines to the screen: each cut to width, padded or cut to height (the last line kept: status).
std::vector<Line> fit(std::vector<Line> lines, int width, int height);

// Compact figures for narrow cells: 999, 1.2k, 34k, 1.2M; rates with one decimal under 10.
std::string compact(std::int64_t n);
std::string rate_text(const std::optional<double>& per_min);
std::string age_cell(const std::optional<std::int64_t>& ms);

// The lines as plain text, one per line (--once).
std::string to_text(const std::vector<Line>& lines);

}  // namespace opsctl::top
