#include "redis/cluster_slots.h"

#include <algorithm>
#include <cctype>

#include "util/text.h"

namespace opsctl::redis {
namespace {

// The table of CRC16-CCITT, polynomial 0x1021, as in the specification's reference code.
constexpr std::array<std::uint16_t, 256> make_table() {
  std::array<std::uint16_t, 256> t{};
  for (int i = 0; i < 256; ++i) {
    std::uint16_t crc = static_cast<std::uint16_t>(i << 8);
    for (int b = 0; b < 8; ++b) crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    t[static_cast<std::size_t>(i)] = crc;
  }
  return t;
}
constexpr auto kTable = make_table();

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A flat [name, value, name, value...] array (RESP2 form of CLUSTER SHARDS' maps): value of name.
const Reply* field(const Reply& map, std::string_view name) {
  if (map.type != ReplyType::array) return nullptr;
  for (std::size_t i = 0; i + 1 < map.elements.size(); i += 2) {
    if (map.elements[i].str == name) return &map.elements[i + 1];
  }
  return nullptr;
}

std::string node_host(const std::string& endpoint, const std::string& ip, const std::string& answered_host) {
  if (!endpoint.empty() && endpoint != "?") return endpoint;
  if (!ip.empty() && ip != "?") return ip;
  return answered_host;
}

}  // namespace

std::uint16_t crc16(std::string_view data) {
  std::uint16_t crc = 0;
  for (unsigned char c : data) crc = static_cast<std::uint16_t>((crc << 8) ^ kTable[((crc >> 8) ^ c) & 0xff]);
  return crc;
}

std::string_view hash_tag(std::string_view key) {
  auto open = key.find('{');
  if (open == std::string_view::npos) return key;
  auto close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

int key_slot(std::string_view key) { return crc16(hash_tag(key)) & (kClusterSlots - 1); }

int SlotMap::add_master(const HostPort& node) {
  for (std::size_t i = 0; i < masters.size(); ++i) {
    if (masters[i].host == node.host && masters[i].port == node.port) return static_cast<int>(i);
  }
  masters.push_back(node);
  return static_cast<int>(masters.size() - 1);
}

bool SlotMap::complete() const {
  return std::none_of(slot_owner.begin(), slot_owner.end(), [](std::int16_t o) { return o < 0; });
}

std::optional<SlotMap> parse_cluster_shards(const Reply& reply, bool tls, const std::string& answered_host) {
  if (reply.type != ReplyType::array) return std::nullopt;
  SlotMap map;
  for (const Reply& shard : reply.elements) {
    const Reply* slots = field(shard, "slots");
    const Reply* nodes = field(shard, "nodes");
    if (!slots || !nodes || slots->type != ReplyType::array || nodes->type != ReplyType::array) return std::nullopt;
    std::optional<HostPort> master;
    for (const Reply& n : nodes->elements) {
      const Reply* role = field(n, "role");
      const Reply* health = field(n, "health");
      if (!role || role->str != "master" || (health && health->str == "fail")) continue;
      const Reply* port = tls && field(n, "tls-port") ? field(n, "tls-port") : field(n, "port");
      const Reply* endpoint = field(n, "endpoint");
      const Reply* ip = field(n, "ip");
      if (!port || !port->as_int()) continue;
      master = HostPort{node_host(endpoint ? endpoint->str : "", ip ? ip->str : "", answered_host),
                        static_cast<int>(*port->as_int())};
    }
    if (!master || slots->elements.empty()) continue;  // a shard without slots (a new, empty master)
    const int owner = map.add_master(*master);
    for (std::size_t i = 0; i + 1 < slots->elements.size(); i += 2) {
      auto lo = slots->elements[i].as_int(), hi = slots->elements[i + 1].as_int();
      if (!lo || !hi || *lo < 0 || *hi >= kClusterSlots || *lo > *hi) return std::nullopt;
      for (auto s = *lo; s <= *hi; ++s) map.slot_owner[static_cast<std::size_t>(s)] = static_cast<std::int16_t>(owner);
    }
  }
  return map;
}

std::optional<SlotMap> parse_cluster_slots(const Reply& reply, const std::string& answered_host) {
  if (reply.type != ReplyType::array) return std::nullopt;
  SlotMap map;
  for (const Reply& range : reply.elements) {
    if (range.type != ReplyType::array || range.elements.size() < 3) return std::nullopt;
    auto lo = range.elements[0].as_int(), hi = range.elements[1].as_int();
    const Reply& node = range.elements[2];
    if (!lo || !hi || *lo < 0 || *hi >= kClusterSlots || *lo > *hi || node.type != ReplyType::array ||
        node.elements.size() < 2 || !node.elements[1].as_int()) {
      return std::nullopt;
    }
    const std::string& host = node.elements[0].str;
    const int owner = map.add_master(
        {host.empty() || host == "?" ? answered_host : host, static_cast<int>(*node.elements[1].as_int())});
    for (auto s = *lo; s <= *hi; ++s) map.slot_owner[static_cast<std::size_t>(s)] = static_cast<std::int16_t>(owner);
  }
  return map;
}

std::optional<Redirect> parse_redirect(std::string_view error, const std::string& replied_host) {
  Redirect r;
  if (error.starts_with("MOVED ")) {
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    r.kind = Redirect::Kind::ask;
    error.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  auto space = error.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto slot = util::parse_int(error.substr(0, space));
  std::string_view addr = error.substr(space + 1);
  auto colon = addr.rfind(':');
  if (!slot || *slot < 0 || *slot >= kClusterSlots || colon == std::string_view::npos) return std::nullopt;
  auto port = util::parse_int(addr.substr(colon + 1));
  if (!port || *port <= 0 || *port > 65535) return std::nullopt;
  std::string_view host = addr.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  r.slot = static_cast<int>(*slot);
  r.node = {host.empty() ? replied_host : std::string(host), static_cast<int>(*port)};
  return r;
}

std::vector<std::string_view> routing_keys(const std::vector<std::string>& argv) {
  if (argv.size() < 2) return {};
  const std::string name = upper(argv[0]);
  if (name == "EVAL" || name == "EVALSHA" || name == "EVAL_RO" || name == "EVALSHA_RO" || name == "FCALL" ||
      name == "FCALL_RO") {
    auto n = argv.size() > 2 ? util::parse_int(argv[2]) : std::nullopt;
    std::vector<std::string_view> keys;
    for (std::size_t i = 0; n && i < static_cast<std::size_t>(std::max<long long>(*n, 0)) && 3 + i < argv.size(); ++i) {
      keys.push_back(argv[3 + i]);
    }
    return keys;
  }
  static const char* const keyless[] = {"PING",  "INFO",   "TIME",   "SCAN",   "CLIENT", "SCRIPT",  "CLUSTER",
                                        "SELECT", "AUTH",  "ASKING", "ROLE",   "DBSIZE", "CONFIG",  "HELLO",
                                        "ECHO",  "COMMAND", "SLOWLOG", "LATENCY", "FUNCTION", "WAIT", "SENTINEL"};
  for (const char* k : keyless) {
    if (name == k) return {};
  }
  if (name == "OBJECT" || name == "MEMORY" || name == "XINFO") {
    return argv.size() > 2 ? std::vector<std::string_view>{argv[2]} : std::vector<std::string_view>{};
  }
  return {argv[1]};
}

}  // namespace opsctl::redis
