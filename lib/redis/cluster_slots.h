#pragma once
// Redis Cluster's pure parts, apart from any connection so they are unit-tested on their own: the key
// slot (CRC16 of the key or of its {hash tag}, mod 16384), the slot map from CLUSTER SHARDS or
// CLUSTER SLOTS, the MOVED/ASK redirections, and which key of a command routes it.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/reply.h"
#include "redis/target.h"

namespace opsctl::redis {

inline constexpr int kClusterSlots = 16384;

// CRC16-CCITT (XMODEM) as the Cluster specification defines it: "123456789" -> 0x31C3.
std::uint16_t crc16(std::string_view data);
// The part of a key that is hashed: the text between the first '{' and the next '}' when not empty.
std::string_view hash_tag(std::string_view key);
int key_slot(std::string_view key);

// Which master serves each slot. masters[i] is a node address; slot_owner[s] an index into it, -1 none.
struct SlotMap {
  std::vector<HostPort> masters;
  std::array<std::int16_t, kClusterSlots> slot_owner{};
  SlotMap() { slot_owner.fill(-1); }
  // The index of the master at host:port, added when new.
  int add_master(const HostPort& node);
  bool complete() const;
};

// From CLUSTER SHARDS (Redis 7+). tls picks each node's tls-port when it has one. An endpoint that
// is empty or "?" is the node that answered: `answered_host`. Nullopt when the reply is not that shape.
std::optional<SlotMap> parse_cluster_shards(const Reply& reply, bool tls, const std::string& answered_host);
// From CLUSTER SLOTS (older servers): [[start, end, [host, port, id...], replicas...], ...].
std::optional<SlotMap> parse_cluster_slots(const Reply& reply, const std::string& answered_host);

// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 :6381" (an empty host: the node that replied).
struct Redirect {
  enum class Kind { moved, ask };
  Kind kind = Kind::moved;
  int slot = 0;
  HostPort node;
};
std::optional<Redirect> parse_redirect(std::string_view error, const std::string& replied_host);

// The keys that route a command: every key of EVAL/EVALSHA/FCALL (by numkeys), the first key of the
// others, none for keyless commands (PING, INFO, TIME, SCAN, CLIENT, SCRIPT, CLUSTER...).
std::vector<std::string_view> routing_keys(const std::vector<std::string>& argv);

}  // namespace opsctl::redis
