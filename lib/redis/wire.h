#pragma once
// Inside lib/redis only: the hiredis side of the wire. hiredis formats commands as RESP bytes and
// parses replies; nothing outside lib/redis sees its types (redis/reply.h is the plain value).
#include <hiredis/hiredis.h>

#include <string>
#include <vector>

#include "redis/reply.h"

namespace opsctl::redis::wire {

// Appends the RESP bytes of one command to out.
void append_command(std::string& out, const std::vector<std::string>& cmd);
// A hiredis reply as a plain Reply (deep copy).
Reply convert(const redisReply* r);

}  // namespace opsctl::redis::wire
