// The `queue` noun: operations on BullMQ queues.
#include "cmd/registry.h"

namespace opsctl::cmd {

void register_queue(CLI::App& app, Registry& reg) {
  CLI::App* queue = app.add_subcommand("queue", "BullMQ queues: list, inspect, retry, clear, pause, resume, promote, schedulers");
  queue->require_subcommand(1);
  add_queue_list(*queue, reg);
  add_queue_inspect(*queue, reg);
  add_queue_retry(*queue, reg);
  add_queue_clear(*queue, reg);
  add_queue_pause(*queue, reg);
  add_queue_resume(*queue, reg);
  add_queue_promote(*queue, reg);
  add_queue_schedulers(*queue, reg);
}

}  // namespace opsctl::cmd
