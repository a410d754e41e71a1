#include "redis/client.h"

#include <hiredis/hiredis.h>

#include <cstring>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"
#include "redis/cluster.h"
#include "redis/transport.h"
#include "util/duration.h"
#include "util/redact.h"

namespace opsctl::redis {
namespace {

struct ReaderFree {
  void operator()(redisReader* r) const { redisReaderFree(r); }
};
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReaderPtr = std::unique_ptr<redisReader, ReaderFree>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

// RESP bytes of one command (hiredis formats, the transport sends).
void append_command(std::string& out, const Command& cmd) {
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
  std::unique_ptr<Transport> io;
  ReaderPtr reader{redisReaderCreate()};
  ConnectOptions options;
  std::map<const char*, std::string> script_sha;  // script text address -> SHA1 from SCRIPT LOAD
  // The first transport failure: the stream is out of step after it, so every later call fails the
  // same way rather than reading a stale reply.
  std::optional<TransportError> broken;
  std::string during;
};

// Turns a broken connection into the error an on-call engineer can act on.
[[noreturn]] static void throw_io_error(const Target& t, const TransportError& e, std::chrono::milliseconds timeout,
                                        std::string_view during) {
  std::string cause;
  ErrorKind kind = ErrorKind::connection_lost;
  switch (e.kind) {
    case TransportError::Kind::refused:
      cause = "connection refused (is redis-server running?)";
      kind = ErrorKind::connection_refused;
      break;
    case TransportError::Kind::timeout:
      cause = fmt::format("timed out after {} {} (is the server overloaded, or not Redis?)",
                          util::format_duration(timeout), during);
      kind = ErrorKind::timeout;
      break;
    case TransportError::Kind::closed:
      if (!t.sentinel.nodes.empty()) {
        cause = "connection closed by the server (a failover? the sentinels name the current master: run the command "
                "again)";
      } else if (!t.tls.enabled) {
        cause = "connection closed by the server (maxclients reached, or a TLS-only port?)";
      } else if (t.tls.cert_file.empty()) {
        // A TLS server that wants a client certificate hangs up after the handshake, at the first read.
        cause = "connection closed by the server (maxclients reached, or it asks for a client certificate: "
                "--tls-cert and --tls-key?)";
      } else {
        cause = "connection closed by the server (maxclients reached, or it did not accept the client certificate?)";
      }
      break;
    case TransportError::Kind::dns:
      cause = fmt::format("cannot resolve host ({})", e.what());
      kind = ErrorKind::dns;
      break;
    case TransportError::Kind::tls:
      cause = fmt::format("{} (--tls-ca names the CA that signed the server's certificate)", e.what());
      kind = ErrorKind::tls;
      break;
    case TransportError::Kind::other:
      cause = e.what();
      break;
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
  if (message.starts_with("NOAUTH")) {
    fail(ExitCode::critical, ErrorKind::auth,
         "authentication required: set REDIS_PASSWORD or the context's redis_password_file");
  } else if (message.starts_with("WRONGPASS") || message.find("invalid password") != std::string::npos ||
             message.find("invalid username-password") != std::string::npos) {
    fail(ExitCode::critical, ErrorKind::auth,
         "wrong password (or ACL user) for Redis: check REDIS_PASSWORD or the password file");
  } else if (message.starts_with("WRONGTYPE")) {
    fail(ExitCode::unknown, ErrorKind::bad_data,
         fmt::format("key {} has the wrong type for {} (not a BullMQ key?)", key, cmd));
  } else if (message.starts_with("READONLY") && !t.sentinel.nodes.empty()) {
    fail(ExitCode::critical, ErrorKind::unavailable,
         "the master became a read-only replica (a failover): run the command again, the sentinels name the new master");
  } else if (message.starts_with("READONLY")) {
    fail(ExitCode::critical, ErrorKind::unavailable, "this is a read-only replica: point --redis at the primary");
  } else if (message.starts_with("LOADING")) {
    fail(ExitCode::critical, ErrorKind::unavailable, "Redis is loading its dataset into memory: retry in a moment");
  } else if (message.starts_with("NOPERM")) {
    fail(ExitCode::critical, ErrorKind::permission, fmt::format("the Redis user may not run {} (ACL): {}", cmd, message));
  } else if (message.starts_with("BUSY")) {
    fail(ExitCode::critical, ErrorKind::unavailable, "Redis is busy running a script: retry, or SCRIPT KILL it");
  } else if (message.starts_with("CROSSSLOT")) {
    fail(ExitCode::usage, ErrorKind::usage, fmt::format("{} {}: {}", cmd, key, cross_slot_explanation()));
  } else if (message.starts_with("CLUSTERDOWN")) {
    fail(ExitCode::critical, ErrorKind::unavailable,
         fmt::format("the Redis Cluster is down ({}): a master without a replica failed, or slots are not served; "
                     "redis-cli --cluster check shows which",
                     message));
  } else if (message.starts_with("TRYAGAIN")) {
    fail(ExitCode::critical, ErrorKind::unavailable,
         fmt::format("the slot of {} stayed in migration longer than --timeout (TRYAGAIN): run the command again when "
                     "the resharding is done",
                     key));
  } else if (message.starts_with("MOVED") || message.starts_with("ASK ")) {
    fail(ExitCode::critical, ErrorKind::unavailable,
         fmt::format("{} was redirected too often ({}): the cluster's slot map keeps changing", cmd, message));
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

namespace {

// What the sentinels said when none gave a usable master: each answer, and whether any answered.
struct SentinelFailures {
  std::vector<std::string> answers;
  bool any_answered = false;
  // The kind of the sentinels' own failures (refused, timed out, TLS, auth) while they all agree.
  std::optional<ErrorKind> unreached_kind;
  bool kinds_differ = false;

  void unreached(const Error& e) {
    answers.push_back(e.what());
    if (unreached_kind && *unreached_kind != e.kind()) kinds_differ = true;
    unreached_kind = e.kind();
  }
  // The kind of the whole error: unavailable when a sentinel answered (the master is the problem);
  // else the one kind of every sentinel's failure (all silent: timeout), and connection_refused when
  // they fail in different ways (none reachable).
  ErrorKind kind() const {
    if (any_answered) return ErrorKind::unavailable;
    return unreached_kind && !kinds_differ ? *unreached_kind : ErrorKind::connection_refused;
  }
};

// The master's address from the first sentinel that knows it and whose answer is a master (ROLE),
// asking each in turn; the connected master client.
std::optional<Client> connect_via_sentinels(const Target& target, const ConnectOptions& options,
                                            SentinelFailures& failures) {
  for (const HostPort& node : target.sentinel.nodes) {
    Target s;
    s.host = node.host;
    s.port = node.port;
    s.password = target.sentinel.password;
    s.tls = target.tls;
    s.tls.server_name.clear();  // each sentinel is verified under its own name
    Reply addr;
    try {
      Client sentinel = Client::connect(s, options);
      addr = sentinel.command({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", target.sentinel.master_name});
    } catch (const Error& e) {
      failures.unreached(e);
      continue;
    }
    failures.any_answered = true;
    if (addr.type != ReplyType::array || addr.elements.size() != 2 || !addr.elements[1].as_int()) {
      failures.answers.push_back(fmt::format("sentinel {}:{} does not know a master named {}", node.host, node.port,
                                             target.sentinel.master_name));
      continue;
    }
    Target m = target;
    m.host = addr.elements[0].str;
    m.port = static_cast<int>(*addr.elements[1].as_int());
    Client master = Client::connect(m, options);  // a master that cannot be reached: its own error
    Reply role = master.command({"ROLE"});
    if (role.type == ReplyType::array && !role.elements.empty() && role.elements[0].str == "master") return master;
    failures.answers.push_back(fmt::format("sentinel {}:{} named {}:{}, which is not a master now (a failover in "
                                           "progress?)",
                                           node.host, node.port, m.host, m.port));
  }
  return std::nullopt;
}

}  // namespace

Client Client::connect(const Target& target, const ConnectOptions& options) {
  if (!target.sentinel.nodes.empty() && target.host.empty()) {
    SentinelFailures failures;
    if (auto master = connect_via_sentinels(target, options, failures)) return std::move(*master);
    throw Error(ExitCode::critical, failures.kind(),
                util::redact(fmt::format("redis {}: no sentinel gave a usable master address: {}", target.display(),
                                         fmt::join(failures.answers, "; "))));
  }
  bool cluster_enabled = false;
  std::optional<Client> seed;
  // Seed nodes in turn: the first that answers gives the slot map of the whole cluster.
  for (std::size_t i = 0; !seed; ++i) {
    Target t = target;
    if (i > 0) {
      t.host = target.seeds[i - 1].host;
      t.port = target.seeds[i - 1].port;
    }
    try {
      seed.emplace(connect_node(t, options, &cluster_enabled));
    } catch (const Error&) {
      if (i >= target.seeds.size()) throw;
    }
  }
  if (!cluster_enabled) {
    if (target.cluster) {
      throw Error(ExitCode::config, ErrorKind::config,
                  util::redact(fmt::format("redis {}: not a Redis Cluster (INFO cluster says cluster_enabled:0), but "
                                           "{} asks for one: point it at a cluster node, or drop cluster: true",
                                           target.display(),
                                           target.seeds.empty() ? "cluster: true" : "a URL with several hosts")));
    }
    return std::move(*seed);
  }
  Target seed_target = seed->target();
  Client client(nullptr, target);
  client.cluster_ = std::make_unique<Cluster>(seed_target, options, std::move(*seed));
  return client;
}

Client Client::connect_node(const Target& target, const ConnectOptions& options, bool* cluster_enabled) {
  auto impl = std::make_unique<Impl>();
  if (!impl->reader) throw std::bad_alloc();
  impl->options = options;
  try {
    impl->io = Transport::open(target, Clock::now() + options.connect_timeout);
  } catch (const TransportError& e) {
    throw_io_error(target, e, options.connect_timeout, "connecting");
  }
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
  // In the same round trip: is this a cluster node? (An error, e.g. an ACL without INFO: no.)
  if (cluster_enabled) setup.push_back({"INFO", "cluster"});
  auto replies = client.pipeline(setup);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    // CLIENT SETNAME may be forbidden by ACLs or managed services; only SELECT must succeed.
    if (replies[i].is_error() && setup[i][0] == "SELECT") throw_reply_error(target, setup[i], replies[i].str);
  }
  if (cluster_enabled) {
    const Reply& info = replies.back();
    *cluster_enabled = !info.is_error() && info.str.find("cluster_enabled:1") != std::string::npos;
  }
  return client;
}

std::vector<Client*> Client::masters() {
  if (cluster_) return cluster_->masters();
  return {this};
}

Client& Client::node_of(std::string_view key) { return cluster_ ? cluster_->node_of(key) : *this; }

void Client::send_all(const std::vector<Command>& commands) {
  std::string bytes;
  for (const auto& cmd : commands) append_command(bytes, cmd);
  write(bytes);
}

void Client::write(const std::string& bytes) {
  if (impl_->broken) throw_io_error(target_, *impl_->broken, impl_->options.command_timeout, impl_->during);
  try {
    impl_->io->write_all(bytes, Clock::now() + impl_->options.command_timeout);
  } catch (const TransportError& e) {
    impl_->broken = e;
    impl_->during = "sending a command";
    throw_io_error(target_, e, impl_->options.command_timeout, impl_->during);
  }
}

Reply Client::read_reply() {
  if (impl_->broken) throw_io_error(target_, *impl_->broken, impl_->options.command_timeout, impl_->during);
  redisReader* reader = impl_->reader.get();
  const auto deadline = Clock::now() + impl_->options.command_timeout;
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
      impl_->broken = TransportError(TransportError::Kind::other, fmt::format("protocol error: {}", reader->errstr));
      impl_->during = "reading a reply";
      throw_io_error(target_, *impl_->broken, impl_->options.command_timeout, impl_->during);
    }
    if (raw != nullptr) {
      ReplyPtr reply(static_cast<redisReply*>(raw));
      return convert(reply.get());
    }
    char buf[16 * 1024];
    std::size_t n = 0;
    try {
      n = impl_->io->read_some(buf, sizeof buf, deadline);
    } catch (const TransportError& e) {
      impl_->broken = e;
      impl_->during = "waiting for a reply";
      throw_io_error(target_, e, impl_->options.command_timeout, impl_->during);
    }
    if (redisReaderFeed(reader, buf, n) != REDIS_OK) throw std::bad_alloc();
  }
}

std::vector<Reply> Client::pipeline(const std::vector<Command>& commands) {
  if (cluster_) return cluster_->pipeline(commands);
  std::string bytes;
  for (const auto& cmd : commands) append_command(bytes, cmd);
  write(bytes);
  std::vector<Reply> out;
  out.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) out.push_back(read_reply());
  return out;
}

Reply Client::command(const Command& argv) {
  if (cluster_) return cluster_->command(argv);
  Reply r = std::move(pipeline({argv})[0]);
  if (r.is_error()) throw_reply_error(target_, argv, r.str);
  return r;
}

void Client::send(const Command& cmd) {
  if (cluster_) return cluster_->send(cmd);
  std::string bytes;
  append_command(bytes, cmd);
  write(bytes);
}

Reply Client::receive() { return cluster_ ? cluster_->receive() : read_reply(); }

const std::string& Client::script_sha(std::string_view script) {
  if (cluster_) return cluster_->script_sha(script);
  auto& sha = impl_->script_sha[script.data()];
  if (sha.empty()) sha = command({"SCRIPT", "LOAD", std::string(script)}).str;
  return sha;
}

Reply Client::eval(std::string_view script, const std::vector<std::string>& keys,
                   const std::vector<std::string>& args) {
  if (cluster_) return cluster_->eval(script, keys, args);
  auto make = [&](const std::string& verb, const std::string& body) {
    Command cmd{verb, body, std::to_string(keys.size())};
    cmd.insert(cmd.end(), keys.begin(), keys.end());
    cmd.insert(cmd.end(), args.begin(), args.end());
    return cmd;
  };
  Reply r = std::move(pipeline({make("EVALSHA", script_sha(script))})[0]);
  if (r.is_error() && r.str.starts_with("NOSCRIPT")) {  // script cache flushed since we loaded it
    r = std::move(pipeline({make("EVAL", std::string(script))})[0]);
  }
  if (r.is_error()) throw_reply_error(target_, keys.empty() ? Command{"EVAL"} : Command{"EVAL", keys[0]}, r.str);
  return r;
}

}  // namespace opsctl::redis
