#include "cmd/queue/watch.h"

#include <memory>
#include <optional>

#include "cmd/interrupt.h"
#include "core/error.h"
#include "output/format.h"
#include "top/json.h"
#include "util/redact.h"
#include "util/text.h"

namespace opsctl::cmd {

int watch_inspect(Session& s, queue::InspectOptions o, std::chrono::milliseconds every) {
  InterruptGuard guard;
  const bool json = s.format() == output::Format::json;
  std::unique_ptr<Session> fresh;  // after a failure: a new session, so a restarted server is reached again
  Session* cur = &s;
  std::optional<queue::InspectResult> prev;
  while (!interrupted()) {
    const auto start = std::chrono::steady_clock::now();
    const auto now = s.io().now_ms();
    try {
      o.now_ms = now;
      auto r = cur->queues().inspect(o);
      s.io().out << (json ? top::watch_json(r, prev ? &*prev : nullptr, now).dump() + "\n"
                          : top::watch_line(r, prev ? &*prev : nullptr, now));
      prev = std::move(r);
    } catch (const Error& e) {
      const std::string message = util::redact(e.what());
      s.io().err << "opsctl: " << message << "\n";
      if (json) {
        nlohmann::json doc{{"time", util::iso8601_utc(now)}, {"queue", o.ref.name}, {"prefix", o.ref.prefix},
                           {"status", std::string(to_string(e.code() == ExitCode::critical ? Status::critical : Status::unknown))},
                           {"error", {{"kind", to_string(e.kind())}, {"message", message}}}};
        s.io().out << doc.dump() << "\n";
      }
      fresh = std::make_unique<Session>(s.flags(), s.io());
      cur = fresh.get();
    }
    s.io().out.flush();
    if (!s.io().out.good()) return static_cast<int>(ExitCode::unknown);  // the reader went away
    sleep_unless_interrupted(std::chrono::duration_cast<std::chrono::milliseconds>(every - (std::chrono::steady_clock::now() - start)));
  }
  return 0;
}

}  // namespace opsctl::cmd
