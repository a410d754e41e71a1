#include "cmd/queue_target.h"

namespace opsctl::cmd {

// The one place besides Session::queues() that knows there are two stores.
std::string queue_target_display(Session& s) {
  return s.queue_backend() == "postgres" ? s.pg_display() : s.redis_target().display();
}

}  // namespace opsctl::cmd
