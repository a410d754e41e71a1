#pragma once
// Inside lib/redis only: the Error a broken connection becomes (refused, timed out, closed, DNS, TLS),
// worded so an on-call engineer knows what to do. Error replies: throw_reply_error in redis/client.h.
#include <chrono>
#include <string_view>

#include "redis/target.h"
#include "redis/transport.h"

namespace opsctl::redis {

[[noreturn]] void throw_io_error(const Target& t, const TransportError& e, std::chrono::milliseconds timeout,
                                 std::string_view during);

}  // namespace opsctl::redis
