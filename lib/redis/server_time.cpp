#include "redis/server_time.h"

#include "core/error.h"

namespace opsctl::redis {

std::int64_t server_time_ms(Client& client) {
  Reply r = client.command({"TIME"});
  if (r.elements.size() != 2 || !r.elements[0].as_int() || !r.elements[1].as_int()) {
    throw unknown_error("redis " + client.target().display() + ": TIME did not answer [seconds, microseconds]");
  }
  return *r.elements[0].as_int() * 1000 + *r.elements[1].as_int() / 1000;
}

}  // namespace opsctl::redis
