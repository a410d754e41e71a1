// Replies: hiredis's parsed replies as plain values, and reading integers out of them.
#include "redis/reply.h"

#include <cstdint>
#include <new>

#include "redis/wire.h"

namespace opsctl::redis {
namespace wire {

// RESP bytes of one command (hiredis formats, the transport sends).
void append_command(std::string& out, const std::vector<std::string>& cmd) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(cmd.size());
  lens.reserve(cmd.size());
  for (const auto& a : cmd) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  char* buf = nullptr;
  const int len = redisFormatCommandArgv(&buf, static_cast<int>(argv.size()), argv.data(), lens.data());
  if (len < 0 || buf == nullptr) throw std::bad_alloc();
  out.append(buf, static_cast<std::size_t>(len));
  redisFreeCommand(buf);
}

Reply convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = ReplyType::string; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: out.type = ReplyType::status; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: out.type = ReplyType::error; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: out.type = ReplyType::integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
      out.type = ReplyType::array;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default: out.type = ReplyType::nil; break;
  }
  return out;
}

}  // namespace wire

std::optional<std::int64_t> Reply::as_int() const {
  if (type == ReplyType::integer) return integer;
  if (type != ReplyType::string || str.empty() || str.size() > 20) return std::nullopt;
  std::size_t i = str[0] == '-' ? 1 : 0;
  if (i == str.size()) return std::nullopt;
  std::int64_t v = 0;
  for (; i < str.size(); ++i) {
    if (str[i] < '0' || str[i] > '9') return std::nullopt;
    const int digit = str[i] - '0';
    if (v > (INT64_MAX - digit) / 10) return std::nullopt;  // does not fit: not an integer we can use
    v = v * 10 + digit;
  }
  return str[0] == '-' ? -v : v;
}

}  // namespace opsctl::redis
