// opsctl queue schedulers QUEUE [--grace DUR] [--limit N]: Job Schedulers, their next run and job,
// overdue (late and not picked up: warning) and broken (no job carries the next run: critical).
#include <fmt/format.h>

#include "cmd/queue/render_schedulers.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "output/format.h"
#include "util/duration.h"

namespace opsctl::cmd {
namespace {

struct SchedulersFlags {
  std::string queue;
  std::string grace = "1m";
  std::int64_t limit = 1000;
};

int run_schedulers(Session& s, const SchedulersFlags& f) {
  if (f.limit < 1 || f.limit > 10000) throw usage_error("--limit must be between 1 and 10000");
  util::Millis grace = util::parse_duration(f.grace);
  queue::QueueRef ref{s.prefix(), f.queue};
  s.about_queue(ref.prefix, f.queue, nlohmann::json::object());
  auto& store = s.queues();
  queue::SchedulerOptions o;
  o.now_ms = store.now_ms();  // BullMQ's scores come from the clock of its own hosts
  o.grace_ms = grace.count();
  o.limit = static_cast<std::size_t>(f.limit);
  auto result = store.schedulers(ref, o);
  switch (s.format()) {
    case output::Format::json: s.emit(output::json_document(queue::to_json(result, ref))); break;
    case output::Format::nagios: s.emit(schedulers_nagios(result, ref)); break;
    case output::Format::prom: s.emit(schedulers_prom(result, ref)); break;
    case output::Format::text: s.emit(schedulers_text(result, ref, o.now_ms, s.color())); break;
  }
  return static_cast<int>(exit_code(result.status));
}

}  // namespace

void add_queue_schedulers(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<SchedulersFlags>();
  CLI::App* cmd = noun.add_subcommand("schedulers", "Job Schedulers: next run, overdue, broken chain");
  cmd->add_option("queue", f->queue, "queue name")->required();
  cmd->add_option("--grace", f->grace, "a next run later than this is overdue (default 1m)");
  cmd->add_option("--limit", f->limit, "schedulers to read, next run first (default 1000)");
  reg.add(cmd, [f](Session& s) { return run_schedulers(s, *f); });
}

}  // namespace opsctl::cmd
