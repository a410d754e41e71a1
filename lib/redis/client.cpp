#include "redis/client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cstring>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "util/duration.h"
#include "util/redact.h"

namespace opsctl::redis {
namespace {

struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
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

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

}  // namespace

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

struct Client::Impl {
  ContextPtr ctx;
  ConnectOptions options;
  std::map<const char*, std::string> script_sha;  // script text address -> SHA1 from SCRIPT LOAD
};

// Turns a broken connection into the error an on-call engineer can act on.
[[noreturn]] static void throw_io_error(const Target& t, const redisContext* c, std::chrono::milliseconds timeout,
                                        std::string_view during) {
  std::string why = c ? c->errstr : "out of memory";
  std::string cause;
  ErrorKind kind = ErrorKind::connection_lost;
  if (why.find("refused") != std::string::npos) {
    cause = "connection refused (is redis-server running?)";
    kind = ErrorKind::connection_refused;
  } else if (why.find("timed out") != std::string::npos || why.find("temporarily unavailable") != std::string::npos ||
             why.find("in progress") != std::string::npos) {
    cause = fmt::format("timed out after {} {} (is the server overloaded, or not Redis?)",
                        util::format_duration(timeout), during);
    kind = ErrorKind::timeout;
  } else if (why.find("closed") != std::string::npos) {
    cause = "connection closed by the server (maxclients reached, or a TLS-only port?)";
  } else if (why.find("resolve") != std::string::npos || why.find("not known") != std::string::npos) {
    cause = fmt::format("cannot resolve host ({})", why);
    kind = ErrorKind::dns;
  } else {
    cause = why;
  }
  throw Error(ExitCode::critical, kind, util::redact(fmt::format("redis {}: {}", t.display(), cause)));
}

void throw_reply_error(const Target& t, const Command& argv, const std::string& message) {
  std::string cmd = argv.empty() ? "command" : argv[0];
  for (auto& ch : cmd) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string key = argv.size() > 1 ? argv[1] : "";
  auto fail = [&](ExitCode code, ErrorKind kind, const std::string& cause) -> void {
    throw Error(code, kind, util::redact(fmt::format("redis {}: {}", t.display(), cause)));
  };
  if (starts_with(message, "NOAUTH")) {
    fail(ExitCode::critical, ErrorKind::auth,
         "authentication required: set REDIS_PASSWORD or the context's redis_password_file");
  } else if (starts_with(message, "WRONGPASS") || message.find("invalid password") != std::string::npos ||
             message.find("invalid username-password") != std::string::npos) {
    fail(ExitCode::critical, ErrorKind::auth,
         "wrong password (or ACL user) for Redis: check REDIS_PASSWORD or the password file");
  } else if (starts_with(message, "WRONGTYPE")) {
    fail(ExitCode::unknown, ErrorKind::bad_data,
         fmt::format("key {} has the wrong type for {} (not a BullMQ key?)", key, cmd));
  } else if (starts_with(message, "READONLY")) {
    fail(ExitCode::critical, ErrorKind::unavailable, "this is a read-only replica: point --redis at the primary");
  } else if (starts_with(message, "LOADING")) {
    fail(ExitCode::critical, ErrorKind::unavailable, "Redis is loading its dataset into memory: retry in a moment");
  } else if (starts_with(message, "NOPERM")) {
    fail(ExitCode::critical, ErrorKind::permission, fmt::format("the Redis user may not run {} (ACL): {}", cmd, message));
  } else if (starts_with(message, "BUSY")) {
    fail(ExitCode::critical, ErrorKind::unavailable, "Redis is busy running a script: retry, or SCRIPT KILL it");
  } else if (message.find("max number of clients") != std::string::npos) {
    fail(ExitCode::critical, ErrorKind::too_many_clients,
         fmt::format("Redis has no free client slot (maxclients reached): {}", message));
  }
  fail(ExitCode::critical, ErrorKind::failed, fmt::format("{} failed: {}", cmd, message));
  std::abort();  // unreachable: fail always throws
}

Client::Client(std::unique_ptr<Impl> impl, Target target) : impl_(std::move(impl)), target_(std::move(target)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Client Client::connect(const Target& target, const ConnectOptions& options) {
  timeval tv = to_timeval(options.connect_timeout);
  ContextPtr ctx(target.unix_path.empty() ? redisConnectWithTimeout(target.host.c_str(), target.port, tv)
                                          : redisConnectUnixWithTimeout(target.unix_path.c_str(), tv));
  if (!ctx || ctx->err) throw_io_error(target, ctx.get(), options.connect_timeout, "connecting");
  if (redisSetTimeout(ctx.get(), to_timeval(options.command_timeout)) != REDIS_OK) {
    throw_io_error(target, ctx.get(), options.command_timeout, "setting the timeout");
  }
  auto impl = std::make_unique<Impl>();
  impl->ctx = std::move(ctx);
  impl->options = options;
  Client client(std::move(impl), target);
  if (target.password) {
    Command auth = target.user.empty() ? Command{"AUTH", *target.password}
                                       : Command{"AUTH", target.user, *target.password};
    Reply r = client.pipeline({auth})[0];
    // A password given to a server that has none is harmless: carry on.
    if (r.is_error() && r.str.find("without any password configured") == std::string::npos) {
      throw_reply_error(target, {"AUTH"}, r.str);
    }
  }
  std::vector<Command> setup;
  if (target.db != 0) setup.push_back({"SELECT", std::to_string(target.db)});
  setup.push_back({"CLIENT", "SETNAME", options.client_name});
  auto replies = client.pipeline(setup);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    // CLIENT SETNAME may be forbidden by ACLs or managed services; only SELECT must succeed.
    if (replies[i].is_error() && setup[i][0] == "SELECT") throw_reply_error(target, setup[i], replies[i].str);
  }
  return client;
}

// Queues one command in the context's output buffer.
static void append_command(const Target& t, redisContext* c, const Command& cmd, std::chrono::milliseconds timeout) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(cmd.size());
  lens.reserve(cmd.size());
  for (const auto& a : cmd) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK) {
    throw_io_error(t, c, timeout, "sending a command");
  }
}

std::vector<Reply> Client::pipeline(const std::vector<Command>& commands) {
  redisContext* c = impl_->ctx.get();
  for (const auto& cmd : commands) append_command(target_, c, cmd, impl_->options.command_timeout);
  std::vector<Reply> out;
  out.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) {
      throw_io_error(target_, c, impl_->options.command_timeout, "waiting for a reply");
    }
    ReplyPtr reply(static_cast<redisReply*>(raw));
    out.push_back(convert(reply.get()));
  }
  return out;
}

Reply Client::command(const Command& argv) {
  Reply r = std::move(pipeline({argv})[0]);
  if (r.is_error()) throw_reply_error(target_, argv, r.str);
  return r;
}

void Client::send(const Command& cmd) {
  redisContext* c = impl_->ctx.get();
  append_command(target_, c, cmd, impl_->options.command_timeout);
  for (int done = 0; !done;) {
    if (redisBufferWrite(c, &done) != REDIS_OK) {
      throw_io_error(target_, c, impl_->options.command_timeout, "sending a command");
    }
  }
}

Reply Client::receive() {
  redisContext* c = impl_->ctx.get();
  void* raw = nullptr;
  if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) {
    throw_io_error(target_, c, impl_->options.command_timeout, "waiting for a reply");
  }
  ReplyPtr reply(static_cast<redisReply*>(raw));
  return convert(reply.get());
}

const std::string& Client::script_sha(std::string_view script) {
  auto& sha = impl_->script_sha[script.data()];
  if (sha.empty()) sha = command({"SCRIPT", "LOAD", std::string(script)}).str;
  return sha;
}

Reply Client::eval(std::string_view script, const std::vector<std::string>& keys,
                   const std::vector<std::string>& args) {
  auto make = [&](const std::string& verb, const std::string& body) {
    Command cmd{verb, body, std::to_string(keys.size())};
    cmd.insert(cmd.end(), keys.begin(), keys.end());
    cmd.insert(cmd.end(), args.begin(), args.end());
    return cmd;
  };
  Reply r = std::move(pipeline({make("EVALSHA", script_sha(script))})[0]);
  if (r.is_error() && starts_with(r.str, "NOSCRIPT")) {  // script cache flushed since we loaded it
    r = std::move(pipeline({make("EVAL", std::string(script))})[0]);
  }
  if (r.is_error()) throw_reply_error(target_, keys.empty() ? Command{"EVAL"} : Command{"EVAL", keys[0]}, r.str);
  return r;
}

}  // namespace opsctl::redis
