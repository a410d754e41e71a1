#include "redis/server_time.h"

#include "core/error.h"
#include "redis/batch.h"

namespace opsctl::redis {

std::int64_t server_time_ms(Client& client) {
  auto ms = time_reply_ms(client.command({"TIME"}));
  if (!ms) throw unknown_error("redis " + client.target().display() + ": TIME did not answer [seconds, microseconds]");
  return *ms;
}

}  // namespace opsctl::redis
