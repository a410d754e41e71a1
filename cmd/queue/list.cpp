// opsctl queue list: the BullMQ queues under a prefix, with counts, paused flag and the verdict of
// the same checks as queue inspect, all queues read in a few shared pipelines.
#include <algorithm>

#include <fmt/format.h>

#include "cmd/queue/probe_all.h"
#include "cmd/queue/render_list.h"
#include "cmd/queue/thresholds.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "output/format.h"
#include "output/table.h"
#include "queue/json.h"
#include "queue/json_fields.h"
#include "queue/schedulers.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

struct ListFlags {
  std::int64_t sample = 20;
  bool check = false;
  std::shared_ptr<ThresholdFlags> thresholds;
};

int run_list(Session& s, const ListFlags& flags) {
  if (flags.sample < 0 || flags.sample > 1000) throw usage_error("--sample must be between 0 and 1000");
  std::string prefix = s.prefix();
  s.about_queue(prefix, "", {{"queues", nullptr}});
  s.queues();  // connects before the threshold warnings, as ever
  warn_unknown_thresholds(s, *flags.thresholds);
  std::vector<ListedQueue> queues = probe_prefix(s, *flags.thresholds, prefix, flags.sample);
  Status status = Status::ok;
  for (const auto& q : queues) status = worst(status, q.verdict.status);
  if (s.format() == output::Format::json) {
    s.emit(output::json_document(list_json(prefix, queues, status)));
  } else if (s.format() == output::Format::nagios) {
    s.emit(list_nagios(prefix, queues, status));
  } else if (s.format() == output::Format::prom) {
    s.emit(list_prom(queues, s.report().labels));
  } else {
    s.emit(list_text(prefix, queues, s.color()));
  }
  // A listing exits 0 whatever the verdicts (3 when a queue's data has problems), so scripts that
  // list queues do not fail on a warning; --check and -o nagios make it a check of the whole prefix.
  if (flags.check || s.format() == output::Format::nagios) return static_cast<int>(exit_code(status));
  bool problems = false;
  for (const auto& q : queues) problems = problems || !q.figures.shape.problems.empty();
  return static_cast<int>(problems ? ExitCode::unknown : ExitCode::ok);
}

}  // namespace

void add_queue_list(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<ListFlags>();
  CLI::App* cmd = noun.add_subcommand("list", "BullMQ queues under a prefix, with counts and the checks' verdict");
  cmd->add_option("--sample", f->sample, "newest completed jobs per queue for processing time (default 20)");
  cmd->add_flag("--check", f->check, "exit with the worst queue's status (0-3), as -o nagios does");
  f->thresholds = add_threshold_flags(cmd);
  reg.add(cmd, [f](Session& s) { return run_list(s, *f); });
}

}  // namespace opsctl::cmd
