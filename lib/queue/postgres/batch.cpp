// What every PostgreSQL transition shares: the bounded transaction of one batch, the id lists it
// passes, the result it starts from (docs/bullmq-postgres.md section 6, common rules).
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "queue/postgres/mutate.h"

namespace opsctl::queue::pgq {

void in_batch(Db& db, const std::function<void()>& body) {
  auto& c = db.conn();
  const auto timeout = c.timeout().count();
  pg::Transaction tx(c, "BEGIN READ WRITE");  // the session defaults to read-only transactions
  // SET LOCAL through set_config(..., true): values as parameters, undone at COMMIT/ROLLBACK.
  c.query("SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true),"
          " set_config('idle_in_transaction_session_timeout', $3, true)",
          {std::to_string(timeout), std::to_string(std::min<std::int64_t>(timeout, 2000)),
           std::to_string(std::max<std::int64_t>(timeout * 2, 30000))});
  body();
  tx.commit();
}

std::string json_ids(const std::vector<std::string>& ids) { return nlohmann::json(ids).dump(); }

MutationResult start_result(Db& db, const char* action, const QueueRef& ref) {
  if (!db.shape(ref).exists) db.throw_not_found(ref);
  MutationResult r;
  r.action = action;
  r.target = fmt::format("{} {}", db.target(), ref.display());
  return r;
}

}  // namespace opsctl::queue::pgq
