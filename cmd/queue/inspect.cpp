// opsctl queue inspect QUEUE: counts, paused, workers, oldest waiting, failures by reason, jobs of a state.
#include <fmt/format.h>

#include "cmd/queue/render.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "output/format.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

struct InspectFlags {
  std::string queue;
  std::string state;
  std::int64_t limit = 20;
  std::int64_t offset = 0;
  queue::Thresholds thresholds;
  std::vector<std::pair<CLI::Option*, std::int64_t*>> threshold_flags;
};

// Thresholds not given as flags come from the context (`thresholds: {warn-wait: 100}`), then defaults.
void apply_context_thresholds(Session& s, InspectFlags& f) {
  const config::Context* ctx = s.context();
  if (ctx == nullptr) return;
  for (auto& [opt, value] : f.threshold_flags) {
    if (opt->count() > 0) continue;
    auto it = ctx->thresholds.find(opt->get_lnames().front());
    if (it == ctx->thresholds.end()) continue;
    auto v = util::parse_int(it->second);
    if (!v || *v < 0) {
      throw config_error(fmt::format("{}: context {}: threshold {} is not a non-negative integer: '{}'",
                                     s.config_path().string(), ctx->name, it->first, it->second));
    }
    *value = *v;
  }
}

// A warning threshold above its critical one: an error when both were given, else the unset one
// follows (--crit-wait 5 alone means warn at 5 too, not a usage error against the default 10).
void fit_thresholds(InspectFlags& f) {
  auto given = [&](const std::int64_t* v) {
    for (const auto& [opt, value] : f.threshold_flags) {
      if (value == v) return opt->count() > 0;
    }
    return false;
  };
  auto& t = f.thresholds;
  for (auto [warn, crit, name] : {std::tuple{&t.warn_wait, &t.crit_wait, "wait"},
                                  std::tuple{&t.warn_failed, &t.crit_failed, "failed"}}) {
    if (*warn <= *crit) continue;
    if (given(warn) && given(crit)) {
      throw usage_error(fmt::format("--warn-{} must not be above --crit-{}", name, name));
    }
    if (given(warn)) *crit = *warn;
    else *warn = *crit;
  }
}

int run_inspect(Session& s, InspectFlags& f) {
  apply_context_thresholds(s, f);
  queue::InspectOptions o;
  o.ref = {s.prefix(), f.queue};
  o.thresholds = f.thresholds;
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
  fit_thresholds(f);
  o.limit = f.limit;
  o.offset = f.offset;
  o.now_ms = s.io().now_ms();
  auto result = queue::inspect_queue(s.redis(), o);
  switch (s.format()) {
    case output::Format::json: s.emit(output::json_document(queue::to_json(result))); break;
    case output::Format::nagios: s.emit(inspect_nagios(result)); break;
    case output::Format::prom: s.emit(inspect_prom(result)); break;
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
  auto& t = f->thresholds;
  for (auto [name, value, help] : {std::tuple{"--warn-wait", &t.warn_wait, "warning at this many waiting jobs (default 10)"},
                                   std::tuple{"--crit-wait", &t.crit_wait, "critical at this many waiting jobs (default 50)"},
                                   std::tuple{"--warn-failed", &t.warn_failed, "warning at this many failed jobs (default 5)"},
                                   std::tuple{"--crit-failed", &t.crit_failed, "critical at this many failed jobs (default 20)"}}) {
    f->threshold_flags.emplace_back(cmd->add_option(name, *value, help)->check(CLI::NonNegativeNumber), value);
  }
  reg.add(cmd, [f](Session& s) { return run_inspect(s, *f); });
}

}  // namespace opsctl::cmd
