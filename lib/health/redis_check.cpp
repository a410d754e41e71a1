#include "health/redis_check.h"

#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "health/redis_cluster_check.h"
#include "redis/client.h"
#include "util/text.h"

namespace opsctl::health {
namespace {

std::int64_t num(const std::map<std::string, std::string>& info, const std::string& key) {
  auto it = info.find(key);
  if (it == info.end()) return 0;
  return util::parse_int(it->second).value_or(0);
}

std::string str(const std::map<std::string, std::string>& info, const std::string& key) {
  auto it = info.find(key);
  return it == info.end() ? "" : it->second;
}

// Adds a finding: the status rises to at least s, and the message lists the problem.
void flag(CheckResult& r, Status s, std::vector<std::string>& problems, std::string what) {
  r.status = worst(r.status, s);
  problems.push_back(std::move(what));
}

}  // namespace

namespace {

// The cluster's state from the node we logged in to, then every master's INFO judged on its own.
CheckResult check_cluster(redis::Client& client, const RedisCheckSpec& spec) {
  const auto cluster_info = parse_info(client.command({"CLUSTER", "INFO"}).str);
  std::vector<ClusterNodeVerdict> nodes;
  for (redis::Client* m : client.masters()) {
    ClusterNodeVerdict v;
    v.node = fmt::format("{}:{}", m->target().host, m->target().port);
    try {
      v.result = evaluate_redis_info(parse_info(m->command({"INFO"}).str), spec.warn_pct, spec.crit_pct);
    } catch (const Error& e) {
      v.result.status = Status::critical;
      v.result.message = e.what();
    }
    nodes.push_back(std::move(v));
  }
  return evaluate_redis_cluster(cluster_info, nodes);
}

}  // namespace

std::map<std::string, std::string> parse_info(const std::string& info) {
  std::map<std::string, std::string> out;
  std::istringstream lines(info);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto colon = line.find(':');
    if (colon != std::string::npos) out[line.substr(0, colon)] = line.substr(colon + 1);
  }
  return out;
}

CheckResult evaluate_redis_info(const std::map<std::string, std::string>& info, int warn_pct, int crit_pct) {
  CheckResult r;
  r.kind = "redis";
  r.status = Status::ok;
  std::vector<std::string> problems;
  auto pct_status = [&](double pct) {
    return pct >= crit_pct ? Status::critical : pct >= warn_pct ? Status::warning : Status::ok;
  };

  std::string role = str(info, "role");
  r.details["version"] = str(info, "redis_version");
  r.details["role"] = role;
  if (role == "slave" || role == "replica") {
    std::string link = str(info, "master_link_status");
    r.details["master_link_status"] = link;
    if (link != "up") flag(r, Status::critical, problems, fmt::format("replica's link to its primary is {}", link));
  }
  std::int64_t clients = num(info, "connected_clients"), maxclients = num(info, "maxclients");
  r.details["connected_clients"] = clients;
  r.details["maxclients"] = maxclients;
  if (maxclients > 0) {
    double pct = 100.0 * static_cast<double>(clients) / static_cast<double>(maxclients);
    if (Status s = pct_status(pct); s != Status::ok) {
      flag(r, s, problems, fmt::format("{} of {} clients ({:.0f}%)", clients, maxclients, pct));
    }
  }
  std::int64_t used = num(info, "used_memory"), maxmemory = num(info, "maxmemory");
  r.details["used_memory"] = used;
  r.details["maxmemory"] = maxmemory;
  if (maxmemory > 0) {
    double pct = 100.0 * static_cast<double>(used) / static_cast<double>(maxmemory);
    r.details["memory_pct"] = static_cast<double>(static_cast<long long>(pct * 10)) / 10;
    if (Status s = pct_status(pct); s != Status::ok) {
      flag(r, s, problems, fmt::format("memory {:.0f}% of maxmemory", pct));
    }
  }
  std::string policy = str(info, "maxmemory_policy");
  r.details["maxmemory_policy"] = policy;
  if (!policy.empty() && policy != "noeviction") {
    flag(r, Status::warning, problems,
         fmt::format("maxmemory-policy is {}: BullMQ needs noeviction or it loses jobs under memory pressure", policy));
  }
  if (std::string s = str(info, "rdb_last_bgsave_status"); !s.empty() && s != "ok") {
    flag(r, Status::warning, problems, "last RDB save failed");
  }
  if (std::string s = str(info, "aof_last_write_status"); !s.empty() && s != "ok") {
    flag(r, Status::critical, problems, "last AOF write failed (writes may be refused)");
  }
  r.message = problems.empty() ? fmt::format("{} {}, {} clients", role.empty() ? "redis" : role,
                                             str(info, "redis_version"), clients)
                               : fmt::format("{}", fmt::join(problems, "; "));
  return r;
}

CheckResult check_redis(const RedisCheckSpec& spec) {
  auto start = std::chrono::steady_clock::now();
  CheckResult r;
  try {
    redis::ConnectOptions options;
    options.connect_timeout = spec.timeout;
    options.command_timeout = spec.timeout;
    auto client = redis::Client::connect(spec.target, options);
    auto ping_start = std::chrono::steady_clock::now();
    client.command({"PING"});
    double ping_ms = elapsed_ms(ping_start);
    if (client.is_cluster()) {
      r = check_cluster(client, spec);
    } else {
      r = evaluate_redis_info(parse_info(client.command({"INFO"}).str), spec.warn_pct, spec.crit_pct);
    }
    r.details["ping_ms"] = ping_ms;
  } catch (const Error& e) {
    r.kind = "redis";
    r.status = Status::critical;
    r.message = e.what();
  }
  r.name = spec.name;
  r.target = spec.target.display();
  r.latency_ms = elapsed_ms(start);
  return r;
}

}  // namespace opsctl::health
