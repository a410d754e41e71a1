#include <doctest/doctest.h>

#include "redis/cluster_slots.h"
#include "redis/target.h"

using namespace opsctl::redis;

namespace {

Reply str(std::string s) {
  Reply r;
  r.type = ReplyType::string;
  r.str = std::move(s);
  return r;
}
Reply num(std::int64_t v) {
  Reply r;
  r.type = ReplyType::integer;
  r.integer = v;
  return r;
}
Reply arr(std::vector<Reply> e) {
  Reply r;
  r.type = ReplyType::array;
  r.elements = std::move(e);
  return r;
}

// One node of CLUSTER SHARDS, as Redis 7 answers it (RESP2: flat name/value arrays).
Reply shard_node(const std::string& ip, int port, const std::string& role, const std::string& endpoint = "",
                 std::optional<int> tls_port = std::nullopt) {
  std::vector<Reply> f{str("id"), str("abc"), str("port"), num(port), str("ip"), str(ip)};
  if (tls_port) {
    f.push_back(str("tls-port"));
    f.push_back(num(*tls_port));
  }
  using Field = std::pair<std::string, std::string>;
  for (const auto& [k, v] : {Field{"endpoint", endpoint.empty() ? ip : endpoint}, Field{"role", role},
                             Field{"health", "online"}}) {
    f.push_back(str(k));
    f.push_back(str(v));
  }
  return arr(std::move(f));
}

}  // namespace

TEST_SUITE("redis.cluster") {
  TEST_CASE("CRC16 is the XMODEM variant of the Cluster specification") {
    CHECK(crc16("123456789") == 0x31C3);
    CHECK(crc16("") == 0);
  }

  TEST_CASE("key slots agree with CLUSTER KEYSLOT") {
    CHECK(key_slot("foo") == 12182);
    CHECK(key_slot("bar") == 5061);
    CHECK(key_slot("123456789") == 0x31C3);
    CHECK(key_slot("{bull}:emails:meta") == key_slot("bull"));
  }

  TEST_CASE("hash tags: the first {...} when not empty, else the whole key") {
    CHECK(hash_tag("{user1000}.following") == "user1000");
    CHECK(hash_tag("foo{}{bar}") == "foo{}{bar}");
    CHECK(hash_tag("foo{{bar}}zap") == "{bar");
    CHECK(hash_tag("foo{bar}{zap}") == "bar");
    CHECK(hash_tag("no tag") == "no tag");
    CHECK(hash_tag("open{only") == "open{only");
    // BullMQ: a tag in the prefix or in the queue name puts every key of the queue in one slot.
    CHECK(key_slot("{bull}:q:wait") == key_slot("{bull}:q:123"));
    CHECK(key_slot("bull:{q}:wait") == key_slot("bull:{q}:meta"));
    CHECK(key_slot("bull:q:wait") != key_slot("bull:q:meta"));
  }

  TEST_CASE("CLUSTER SHARDS: slot ranges to each shard's master, replicas ignored") {
    Reply reply = arr({
        arr({str("slots"), arr({num(0), num(5460), num(10923), num(10925)}), str("nodes"),
             arr({shard_node("10.0.0.1", 7000, "master"), shard_node("10.0.0.4", 7003, "replica")})}),
        arr({str("slots"), arr({num(5461), num(10922)}), str("nodes"),
             arr({shard_node("10.0.0.5", 7004, "replica"), shard_node("10.0.0.2", 7001, "master", "node2.internal")})}),
        arr({str("slots"), arr({num(10926), num(16383)}), str("nodes"), arr({shard_node("10.0.0.3", 7002, "master", "?")})}),
    });
    auto map = parse_cluster_shards(reply, false, "seed");
    REQUIRE(map);
    REQUIRE(map->masters.size() == 3);
    CHECK(map->masters[0].host == "10.0.0.1");
    CHECK(map->masters[0].port == 7000);
    CHECK(map->masters[1].host == "node2.internal");
    CHECK(map->masters[2].host == "10.0.0.3");  // endpoint "?": the ip
    CHECK(map->slot_owner[0] == 0);
    CHECK(map->slot_owner[5461] == 1);
    CHECK(map->slot_owner[10924] == 0);
    CHECK(map->slot_owner[16383] == 2);
    CHECK(map->complete());
  }

  TEST_CASE("CLUSTER SHARDS over TLS: the tls-port") {
    Reply reply = arr({arr({str("slots"), arr({num(0), num(16383)}), str("nodes"),
                            arr({shard_node("10.0.0.1", 7000, "master", "", 17000)})})});
    auto map = parse_cluster_shards(reply, true, "seed");
    REQUIRE(map);
    CHECK(map->masters[0].port == 17000);
    CHECK(parse_cluster_shards(reply, false, "seed")->masters[0].port == 7000);
  }

  TEST_CASE("CLUSTER SLOTS: ranges, an empty host is the node asked; a gap leaves the map incomplete") {
    Reply reply = arr({arr({num(0), num(8000), arr({str("10.0.0.1"), num(7000), str("id1")})}),
                       arr({num(8001), num(16000), arr({str(""), num(7001), str("id2")}),
                            arr({str("10.0.0.9"), num(7009), str("id9")})})});
    auto map = parse_cluster_slots(reply, "seed.host");
    REQUIRE(map);
    REQUIRE(map->masters.size() == 2);
    CHECK(map->masters[1].host == "seed.host");
    CHECK(map->slot_owner[8001] == 1);
    CHECK(map->slot_owner[16383] == -1);
    CHECK_FALSE(map->complete());
    CHECK_FALSE(parse_cluster_slots(str("nope"), "x"));
    CHECK_FALSE(parse_cluster_slots(arr({arr({num(5), num(1), arr({str("h"), num(1)})})}), "x"));
  }

  TEST_CASE("MOVED and ASK: slot and node; an empty host is the node that replied") {
    auto m = parse_redirect("MOVED 3999 127.0.0.1:6381", "seed");
    REQUIRE(m);
    CHECK(m->kind == Redirect::Kind::moved);
    CHECK(m->slot == 3999);
    CHECK(m->node.host == "127.0.0.1");
    CHECK(m->node.port == 6381);
    auto a = parse_redirect("ASK 12182 :7002", "10.1.1.1");
    REQUIRE(a);
    CHECK(a->kind == Redirect::Kind::ask);
    CHECK(a->node.host == "10.1.1.1");
    CHECK(a->node.port == 7002);
    auto v6 = parse_redirect("MOVED 1 ::1:7000", "x");
    REQUIRE(v6);
    CHECK(v6->node.host == "::1");
    CHECK_FALSE(parse_redirect("ERR unknown command", "x"));
    CHECK_FALSE(parse_redirect("MOVED 99999 h:1", "x"));
    CHECK_FALSE(parse_redirect("MOVED 1 nohost", "x"));
    CHECK_FALSE(parse_redirect("TRYAGAIN Multiple keys request during rehashing of slot", "x"));
  }

  TEST_CASE("routing keys: the first key, EVAL's numkeys, none for keyless commands") {
    CHECK(routing_keys({"HGETALL", "k"}) == std::vector<std::string_view>{"k"});
    CHECK(routing_keys({"evalsha", "sha", "2", "a", "b", "arg"}) == std::vector<std::string_view>{"a", "b"});
    CHECK(routing_keys({"EVAL", "return 1", "0"}).empty());
    CHECK(routing_keys({"SCAN", "0"}).empty());
    CHECK(routing_keys({"CLIENT", "LIST"}).empty());
    CHECK(routing_keys({"TIME"}).empty());
    CHECK(routing_keys({"OBJECT", "ENCODING", "k"}) == std::vector<std::string_view>{"k"});
  }

  TEST_CASE("a URL with several hosts: cluster seed nodes") {
    auto t = parse_target("redis://:pw@h1:7000,h2:7001,[::1]:7002");
    CHECK(t.cluster);
    CHECK(t.host == "h1");
    CHECK(t.port == 7000);
    REQUIRE(t.seeds.size() == 2);
    CHECK(t.seeds[0].host == "h2");
    CHECK(t.seeds[1].host == "::1");
    CHECK(t.seeds[1].port == 7002);
    CHECK(t.password == "pw");
    CHECK(t.display() == "h1:7000,h2:7001,[::1]:7002");
    CHECK_FALSE(parse_target("redis://h1:7000").cluster);
  }
}
