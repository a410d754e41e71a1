// opsctl queue inspect QUEUE: counts, workers, oldest waiting, failures by reason, jobs of a state, and
// the time-aware checks (backlog, failures in a window, processor down, job timeout, processing time...).
#include <fmt/format.h>

#include "cmd/queue/render.h"
#include "cmd/queue/thresholds.h"
#include "cmd/queue/watch.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "output/format.h"
#include "util/duration.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

struct InspectFlags {
  std::string queue;
  std::string state;
  std::int64_t limit = 20;
  std::int64_t offset = 0;
  std::string watch;
  std::shared_ptr<ThresholdFlags> thresholds;
};

int run_inspect(Session& s, InspectFlags& f) {
  queue::InspectOptions o;
  o.ref = {s.prefix(), f.queue};
  // The same failure document as every queue verb's (queue, prefix, status, error): a missing
  // queue reads the same from queue inspect and queue schedulers.
  s.about_queue(o.ref.prefix, f.queue, nlohmann::json::object());
  warn_unknown_thresholds(s, *f.thresholds);
  o.thresholds = resolve_thresholds(s, *f.thresholds, f.queue);
  if (!f.state.empty()) {
    if (!queue::is_listable_state(f.state)) {
      std::string best = util::closest_match(f.state, queue::listable_states());
      throw usage_error(fmt::format("unknown state '{}'{}; states: {}", f.state,
                                    best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best),
                                    fmt::join(queue::listable_states(), ", ")));
    }
    o.state = f.state;
  }
  if (f.limit < 1 || f.limit > 10000) throw usage_error("--limit must be between 1 and 10000");
  if (f.offset < 0) throw usage_error("--offset must not be negative");
  o.limit = f.limit;
  o.offset = f.offset;
  o.now_ms = s.io().now_ms();
  if (!f.watch.empty()) {
    const auto every = util::parse_duration(f.watch);
    if (every.count() < 100) throw usage_error("--watch must be at least 100ms");
    if (s.format() != output::Format::text && s.format() != output::Format::json) {
      throw usage_error("--watch prints -o text or -o json lines");
    }
    return watch_inspect(s, o, every);
  }
  auto result = s.queues().inspect(o);
  switch (s.format()) {
    case output::Format::json: s.emit(output::json_document(queue::to_json(result))); break;
    case output::Format::nagios: s.emit(inspect_nagios(result)); break;
    case output::Format::prom: s.emit(inspect_prom(result, s.report().labels)); break;
    case output::Format::text: s.emit(inspect_text(result, s.color())); break;
  }
  return static_cast<int>(exit_code(result.status));
}

}  // namespace

void add_queue_inspect(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<InspectFlags>();
  CLI::App* cmd = noun.add_subcommand("inspect", "counts, paused, workers, oldest waiting, failures by reason, jobs");
  cmd->add_option("queue", f->queue, "queue name")->required();
  cmd->add_option("--state", f->state, "list jobs of this state (waiting, active, delayed, prioritized, completed, "
                                       "failed, waiting-children)");
  cmd->add_option("--limit", f->limit, "jobs to list with --state (default 20)");
  cmd->add_option("--offset", f->offset, "jobs to skip with --state");
  cmd->add_option("--watch", f->watch, "repeat every DURATION (e.g. 2s) as rolling lines with deltas, until Ctrl-C");
  f->thresholds = add_threshold_flags(cmd);
  reg.add(cmd, [f](Session& s) { return run_inspect(s, *f); });
}

}  // namespace opsctl::cmd
