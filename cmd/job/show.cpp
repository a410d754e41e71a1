// opsctl job show QUEUE ID: one job's data, opts, state, attempts, failedReason, stacktrace, logs.
#include <fmt/format.h>

#include "cmd/registry.h"
#include "core/error.h"
#include "output/format.h"
#include "queue/job_text.h"
#include "queue/json.h"
#include "queue/layout.h"

namespace opsctl::cmd {
namespace {

struct ShowFlags {
  std::string queue;
  std::string id;
};

int run_show(Session& s, const ShowFlags& f) {
  if (s.format() == output::Format::nagios || s.format() == output::Format::prom) {
    throw usage_error("job show supports -o text and -o json");
  }
  queue::QueueRef ref{s.prefix(), f.queue};
  auto& store = s.queues();
  auto shape = store.shape(ref);
  auto job = store.job(ref, shape, f.id);
  if (!job) {
    throw critical_error(fmt::format("{} {}: job {} not found in queue {}{}", store.kind(), store.display(), f.id,
                                     ref.display(), shape.exists ? "" : " (the queue itself does not exist)"));
  }
  auto doc = queue::to_json(*job, ref);
  if (s.format() == output::Format::json) {
    s.emit(output::json_document(doc));
  } else {
    s.emit(queue::job_text(doc, s.color()));
  }
  return 0;
}

}  // namespace

void add_job_show(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<ShowFlags>();
  CLI::App* cmd = noun.add_subcommand("show", "one job: data, opts, state, attempts, failedReason, stacktrace, logs");
  cmd->add_option("queue", f->queue, "queue name")->required();
  cmd->add_option("id", f->id, "job id")->required();
  reg.add(cmd, [f](Session& s) { return run_show(s, *f); });
}

}  // namespace opsctl::cmd
