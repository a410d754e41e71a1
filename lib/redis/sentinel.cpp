#include "redis/sentinel.h"

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "util/redact.h"

namespace opsctl::redis {
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

Client connect_sentinel_master(const Target& target, const ConnectOptions& options) {
  SentinelFailures failures;
  if (auto master = connect_via_sentinels(target, options, failures)) return std::move(*master);
  throw Error(ExitCode::critical, failures.kind(),
              util::redact(fmt::format("redis {}: no sentinel gave a usable master address: {}", target.display(),
                                       fmt::join(failures.answers, "; "))));
}

}  // namespace opsctl::redis
