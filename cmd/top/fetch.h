#pragma once
// What `opsctl top` reads, through its own sessions (one per context) so the view never shares a
// connection with the actions the person takes: the queues of every context each tick, the
// drill-down of one queue, the database pool. Errors are kept in what is returned, never thrown.
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd/queue/thresholds.h"
#include "cmd/session.h"
#include "db/pool.h"
#include "top/drill.h"
#include "top/layout.h"
#include "top/model.h"

namespace opsctl::cmd::top_view {

struct Settings {
  std::shared_ptr<ThresholdFlags> thresholds;
  std::int64_t sample = 20;  // newest completed jobs per queue for the processing time
  std::string pgbouncer;     // the PgBouncer console's conninfo for the db tab ("" for none)
  db::PoolOptions pool;      // the db tab's --long and --idle-tx
};

class Fetcher {
 public:
  // contexts: the fleet's names, or empty for the session's one context.
  Fetcher(const GlobalOptions& globals, const Io& io, std::vector<std::string> contexts, Settings settings);

  // One tick: every context's queues with rates since the previous tick. A failed read keeps the
  // previous rows and says why in snap.error (one context) or snap.context_errors (a fleet).
  // Failure::raise: one context's failure is thrown as it came (--once answers it as every verb does).
  enum class Failure { keep, raise };
  void tick(top::Snapshot& snap, Failure failure = Failure::keep);
  // The drill-down of one queue; throws Error.
  top::Drill drill(const std::string& context, const std::string& queue);
  // One job as queue::to_json gives it; nullopt when it is not in the queue; throws Error.
  std::optional<nlohmann::json> job(const std::string& context, const std::string& queue, const std::string& id);
  // The pool report of a context's PostgreSQL; throws Error.
  db::PoolReport pool(const std::string& context);
  // What the sessions wrote to stderr (warnings) since the last call.
  std::string drain_stderr();
  bool fleet() const { return !names_.empty(); }

 private:
  struct Ctx {
    std::string name;
    GlobalOptions flags;
    std::unique_ptr<Session> session;
    std::vector<top::QueueSample> last;
  };
  Ctx& find(const std::string& context);
  // f(session) on the context's session, opened on first use and dropped when f throws (the next
  // call reconnects).
  template <typename F>
  auto with_session(Ctx& c, F&& f) {
    if (!c.session) c.session = std::make_unique<Session>(c.flags, io_);
    try {
      return f(*c.session);
    } catch (...) {
      c.session.reset();
      throw;
    }
  }
  std::vector<top::QueueSample> read(Ctx& c);  // throws

  std::ostringstream out_, err_;
  std::istringstream in_;
  Io io_;
  std::vector<std::string> names_;
  std::vector<Ctx> ctxs_;
  Settings settings_;
  top::Rates rates_;
};

}  // namespace opsctl::cmd::top_view
