#include "redis/client.h"

#include <map>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"
#include "redis/cluster.h"
#include "redis/errors.h"
#include "redis/sentinel.h"
#include "redis/wire.h"
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

}  // namespace

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

Client::Client(std::unique_ptr<Impl> impl, Target target) : impl_(std::move(impl)), target_(std::move(target)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Client Client::connect(const Target& target, const ConnectOptions& options) {
  if (!target.sentinel.nodes.empty() && target.host.empty()) return connect_sentinel_master(target, options);
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
  for (const auto& cmd : commands) wire::append_command(bytes, cmd);
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
      return wire::convert(reply.get());
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
  for (const auto& cmd : commands) wire::append_command(bytes, cmd);
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
  wire::append_command(bytes, cmd);
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
