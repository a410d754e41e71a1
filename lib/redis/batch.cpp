#include "redis/batch.h"

namespace opsctl::redis {

std::optional<std::int64_t> time_reply_ms(const Reply& reply) {
  if (reply.type != ReplyType::array || reply.elements.size() != 2) return std::nullopt;
  auto s = reply.elements[0].as_int(), us = reply.elements[1].as_int();
  if (!s || !us) return std::nullopt;
  return *s * 1000 + *us / 1000;
}

}  // namespace opsctl::redis
