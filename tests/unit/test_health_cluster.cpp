#include <doctest/doctest.h>

#include "health/redis_check.h"
#include "health/redis_cluster_check.h"

using namespace opsctl;
using namespace opsctl::health;

TEST_SUITE("health.redis.cluster") {
  const std::string info =
      "redis_version:7.0.15\r\nconnected_clients:10\r\nmaxclients:100\r\nused_memory:500\r\nmaxmemory:1000\r\n"
      "maxmemory_policy:noeviction\r\nrole:master\r\n";
  const std::string healthy =
      "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_slots_pfail:0\r\n"
      "cluster_slots_fail:0\r\ncluster_known_nodes:3\r\n";

  std::vector<ClusterNodeVerdict> masters(int n) {
    std::vector<ClusterNodeVerdict> out;
    for (int i = 0; i < n; ++i) out.push_back({"10.0.0." + std::to_string(i + 1) + ":7000", evaluate_redis_info(parse_info(info), 80, 95)});
    return out;
  }

  TEST_CASE("a healthy cluster: ok, the masters counted, clients summed, one entry per master") {
    auto r = evaluate_redis_cluster(parse_info(healthy), masters(3));
    CHECK(r.status == Status::ok);
    CHECK(r.message == "cluster ok, 3 masters, redis 7.0.15, 30 clients");
    CHECK(r.details["masters"].size() == 3);
    CHECK(r.details["masters"][1]["node"] == "10.0.0.2:7000");
    CHECK(r.details["masters"][1]["status"] == "ok");
    CHECK(r.details["cluster_state"] == "ok");
  }

  TEST_CASE("cluster_state fail, unassigned and failed slots are critical; PFAIL a warning") {
    auto m = parse_info(healthy);
    m["cluster_state"] = "fail";
    m["cluster_slots_assigned"] = "10923";
    m["cluster_slots_fail"] = "5461";
    auto r = evaluate_redis_cluster(m, masters(2));
    CHECK(r.status == Status::critical);
    CHECK(r.message == "cluster_state is fail; 10923 of 16384 slots assigned; 5461 slots served by a failed master");

    auto p = parse_info(healthy);
    p["cluster_slots_pfail"] = "5461";
    auto w = evaluate_redis_cluster(p, masters(3));
    CHECK(w.status == Status::warning);
    CHECK(w.message == "5461 slots on a master other nodes cannot reach (PFAIL)");
  }

  TEST_CASE("one master's problem makes the verdict, named by its node") {
    auto nodes = masters(3);
    auto m = parse_info(info);
    m["used_memory"] = "990";
    nodes[2].result = evaluate_redis_info(m, 80, 95);
    nodes[0].result = CheckResult{};
    nodes[0].result.status = Status::critical;
    nodes[0].result.message = "redis 10.0.0.1:7000: connection refused";
    auto r = evaluate_redis_cluster(parse_info(healthy), nodes);
    CHECK(r.status == Status::critical);
    CHECK(r.message == "10.0.0.1:7000: redis 10.0.0.1:7000: connection refused; 10.0.0.3:7000: memory 99% of maxmemory");
  }
}
