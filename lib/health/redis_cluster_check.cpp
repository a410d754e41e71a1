#include "health/redis_cluster_check.h"

#include <fmt/format.h>

#include "util/text.h"

namespace opsctl::health {

CheckResult evaluate_redis_cluster(const std::map<std::string, std::string>& cluster_info,
                                   const std::vector<ClusterNodeVerdict>& nodes) {
  CheckResult r;
  r.kind = "redis";
  r.status = Status::ok;
  std::vector<std::string> problems;
  auto field = [&](const std::string& key) {
    auto it = cluster_info.find(key);
    return it == cluster_info.end() ? std::string() : it->second;
  };
  auto count = [&](const std::string& key) { return util::parse_int(field(key)).value_or(0); };

  const std::string state = field("cluster_state");
  r.details["cluster_state"] = state;
  r.details["cluster_slots_assigned"] = count("cluster_slots_assigned");
  r.details["cluster_slots_fail"] = count("cluster_slots_fail");
  r.details["cluster_slots_pfail"] = count("cluster_slots_pfail");
  if (state != "ok") {
    r.status = Status::critical;
    problems.push_back(fmt::format("cluster_state is {}", state.empty() ? "unknown" : state));
  }
  if (const auto assigned = count("cluster_slots_assigned"); assigned != 16384) {
    r.status = Status::critical;
    problems.push_back(fmt::format("{} of 16384 slots assigned", assigned));
  }
  if (const auto fail = count("cluster_slots_fail"); fail > 0) {
    r.status = Status::critical;
    problems.push_back(fmt::format("{} slots served by a failed master", fail));
  } else if (const auto pfail = count("cluster_slots_pfail"); pfail > 0) {
    r.status = worst(r.status, Status::warning);
    problems.push_back(fmt::format("{} slots on a master other nodes cannot reach (PFAIL)", pfail));
  }

  std::int64_t clients = 0;
  std::string version;
  nlohmann::json per_node = nlohmann::json::array();
  for (const auto& n : nodes) {
    r.status = worst(r.status, n.result.status);
    if (n.result.status != Status::ok) problems.push_back(fmt::format("{}: {}", n.node, n.result.message));
    if (n.result.details.contains("connected_clients")) clients += n.result.details["connected_clients"].get<std::int64_t>();
    if (version.empty() && n.result.details.contains("version")) version = n.result.details["version"].get<std::string>();
    nlohmann::json d = n.result.details;
    d["node"] = n.node;
    d["status"] = std::string(to_string(n.result.status));
    d["message"] = n.result.message;
    per_node.push_back(std::move(d));
  }
  r.details["cluster"] = true;
  r.details["version"] = version;
  r.details["connected_clients"] = clients;
  r.details["masters"] = std::move(per_node);
  r.message = problems.empty()
                  ? fmt::format("cluster ok, {} masters, redis {}, {} clients", nodes.size(), version, clients)
                  : fmt::format("{}", fmt::join(problems, "; "));
  return r;
}

}  // namespace opsctl::health
