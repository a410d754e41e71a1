#pragma once
// The Redis health check: log in, PING, INFO; judge role and replication link, clients against
// maxclients, memory against maxmemory, the eviction policy (BullMQ loses jobs under eviction) and
// the last RDB/AOF write. On a Redis Cluster: CLUSTER INFO and every master's INFO
// (health/redis_cluster_check.h).
#include <chrono>
#include <map>
#include <string>

#include "health/check.h"
#include "redis/target.h"

namespace opsctl::health {

struct RedisCheckSpec {
  std::string name;
  redis::Target target;
  std::chrono::milliseconds timeout{5000};
  int warn_pct = 80;  // clients and memory
  int crit_pct = 95;
};

CheckResult check_redis(const RedisCheckSpec& spec);

// INFO text ("key:value" lines, "# Section" headers) to a map.
std::map<std::string, std::string> parse_info(const std::string& info);

// The verdict from INFO alone (pure, unit-tested); latency and name are filled by check_redis.
CheckResult evaluate_redis_info(const std::map<std::string, std::string>& info, int warn_pct, int crit_pct);

}  // namespace opsctl::health
