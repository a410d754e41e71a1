// opsctl top: a live view of queues, workers and database sessions; one frame without a terminal.
#include "cmd/top/top.h"

#include <fmt/format.h>

#include "cmd/registry.h"
#include "config/fleet.h"
#include "core/error.h"
#include "output/format.h"
#include "top/json.h"
#include "top/layout.h"
#include "util/duration.h"

namespace opsctl::cmd {
namespace {

using top_view::TopFlags;

// "redis 127.0.0.1:6379 prefix bull" or "3 contexts: a, b, c".
std::string target_text(Session& s, const std::vector<std::string>& contexts) {
  if (!contexts.empty()) return fmt::format("{} contexts: {}", contexts.size(), fmt::join(contexts, ", "));
  return fmt::format("{} {} prefix {}", s.queue_backend(), s.queue_backend() == "postgres" ? s.pg_display() : s.redis_target().display(),
                     s.prefix());
}

int run_once(Session& s, top_view::Fetcher& fetcher, const top::View& view) {
  top::Snapshot snap;
  try {
    fetcher.tick(snap, top_view::Fetcher::Failure::raise);
  } catch (...) {
    s.io().err << fetcher.drain_stderr();
    throw;
  }
  s.io().err << fetcher.drain_stderr();
  if (s.format() == output::Format::json) {
    s.emit(output::json_document(top::to_json(snap, view)));
  } else {
    int width = 120;
    if (auto cols = s.io().env("COLUMNS"); cols && !cols->empty()) width = std::max(80, std::atoi(cols->c_str()));
    top::View v = view;
    v.now_ms = snap.good_at_ms;
    s.emit(top::to_text(top::queues_frame(snap, v, width, 0)));
  }
  return static_cast<int>(exit_code(snap.status));
}

int run_top(Session& s, const TopFlags& f, bool all_contexts) {
  const auto interval = util::parse_duration(f.interval).count();
  if (interval < 200) throw usage_error("--interval must be at least 200ms");
  if (f.sample < 0 || f.sample > 1000) throw usage_error("--sample must be between 0 and 1000");
  if (s.format() == output::Format::nagios || s.format() == output::Format::prom) {
    throw usage_error("top prints -o text or -o json");
  }
  std::vector<std::string> contexts;
  if (config::is_fleet(s.flags().context, all_contexts)) {
    contexts = config::resolve_fleet(s.config(), s.flags().context, all_contexts);
  } else {
    s.about_queue(s.prefix(), "", {{"queues", nullptr}});
    warn_unknown_thresholds(s, *f.thresholds);
  }
  top_view::Fetcher fetcher(s.flags(), s.io(), contexts, {f.thresholds, f.sample, f.pool.pgbouncer, to_options(f.pool)});
  top::View view;
  view.target = target_text(s, contexts);
  view.interval_ms = interval;
  view.show_context = !contexts.empty();
  const bool tty = s.io().out_tty && s.io().in_tty;
  if (f.once || !tty || s.format() == output::Format::json) return run_once(s, fetcher, view);
  return top_view::run_view(s, fetcher, view);
}

}  // namespace

void register_top(CLI::App& app, Registry& reg, const bool& all_contexts) {
  auto f = std::make_shared<TopFlags>();
  CLI::App* cmd = app.add_subcommand("top", "live view of queues, workers and database sessions");
  cmd->add_option("--interval", f->interval, "time between refreshes, e.g. 1s, 5s (default 2s)");
  cmd->add_flag("--once", f->once, "print one frame and exit with the verdict's status (also without a terminal)");
  cmd->add_option("--sample", f->sample, "newest completed jobs per queue for processing time (default 20)");
  add_pool_flags(cmd, f->pool);  // the db tab
  f->thresholds = add_threshold_flags(cmd);
  std::string keys = "Keys:\n";
  for (const auto& line : top::key_help()) keys += line + "\n";
  cmd->footer(keys);
  reg.add(cmd, [f, &all_contexts](Session& s) { return run_top(s, *f, all_contexts); });
}

}  // namespace opsctl::cmd
