#include "pg/deadline.h"

#include <poll.h>

#include <cerrno>
#include <climits>
#include <future>
#include <memory>
#include <thread>

namespace opsctl::pg {

bool wait_socket(int fd, short events, Clock::time_point deadline) {
  if (fd < 0) return true;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, left > INT_MAX ? INT_MAX : static_cast<int>(left));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return true;
  }
}

void cancel_in_background(PGconn* conn, std::chrono::milliseconds wait) {
  if (conn == nullptr) return;
  PGcancel* cancel = PQgetCancel(conn);
  if (cancel == nullptr) return;
  auto sent = std::make_shared<std::promise<void>>();
  std::future<void> done = sent->get_future();
  try {
    std::thread([cancel, sent] {
      char err[256];
      PQcancel(cancel, err, sizeof err);
      PQfreeCancel(cancel);
      sent->set_value();
    }).detach();
  } catch (const std::system_error&) {
    PQfreeCancel(cancel);  // no thread: the server's statement_timeout still ends the query
    return;
  }
  done.wait_for(wait);
}

}  // namespace opsctl::pg
