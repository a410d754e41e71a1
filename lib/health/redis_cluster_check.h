#pragma once
// The Redis health check on a Redis Cluster: the cluster's own state (CLUSTER INFO: cluster_state,
// slots assigned and failing) and every master's INFO judged as on a single Redis, combined into one
// verdict: the worst of them, each problem named by its node.
#include <map>
#include <string>
#include <vector>

#include "health/check.h"

namespace opsctl::health {

struct ClusterNodeVerdict {
  std::string node;  // host:port
  CheckResult result;  // evaluate_redis_info of its INFO, or critical with the error that reaching it gave
};

// Pure: cluster_info is CLUSTER INFO parsed (parse_info), nodes one verdict per master.
CheckResult evaluate_redis_cluster(const std::map<std::string, std::string>& cluster_info,
                                   const std::vector<ClusterNodeVerdict>& nodes);

}  // namespace opsctl::health
