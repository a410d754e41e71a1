#include "redis/target.h"

#include <fmt/format.h>

#include "core/error.h"
#include "util/host_port.h"
#include "util/redact.h"
#include "util/text.h"

namespace opsctl::redis {
namespace {

// %XX decoding for userinfo: passwords often hold characters that must be escaped in a URL.
std::string percent_decode(std::string_view s, std::string_view url) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) {
      throw usage_error(fmt::format("bad %-escape in Redis URL {}", util::redact(url)));
    }
    auto hex = [&](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      throw usage_error(fmt::format("bad %-escape in Redis URL {}", util::redact(url)));
    };
    out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
    i += 2;
  }
  return out;
}

int parse_number(std::string_view text, int lo, int hi, std::string_view what, std::string_view url) {
  auto v = util::parse_int(text);
  if (!v || *v < lo || *v > hi) {
    throw usage_error(fmt::format("bad {} '{}' in Redis URL {}", what, text, util::redact(url)));
  }
  return static_cast<int>(*v);
}

// db from "?db=N" (unix sockets) if present.
void parse_query(std::string_view query, Target& t, std::string_view url) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto item = query.substr(0, amp);
    if (item.substr(0, 3) == "db=") t.db = parse_number(item.substr(3), 0, 1 << 20, "database number", url);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

// host, host:port, [v6]:port (util::parse_host_port); empty host: 127.0.0.1.
HostPort parse_host_port(std::string_view hostport, int default_port, std::string_view url) {
  util::HostPortParse p = util::parse_host_port(hostport, default_port);
  if (!p.bad_port.empty()) parse_number(p.bad_port, 1, 65535, "port", url);  // throws the URL's message
  if (!p.error.empty()) throw usage_error(fmt::format("bad Redis URL {}", util::redact(url)));
  if (p.value.host.empty()) p.value.host = "127.0.0.1";
  return p.value;
}

}  // namespace

std::string Target::display() const {
  if (!unix_path.empty()) return db ? fmt::format("unix://{}?db={}", unix_path, db) : "unix://" + unix_path;
  auto hostport = [](const std::string& h, int p) { return util::format_host_port({h, p}); };
  if (!sentinel.nodes.empty()) {
    std::vector<std::string> nodes;
    for (const auto& n : sentinel.nodes) nodes.push_back(hostport(n.host, n.port));
    std::string at = host.empty() ? "" : " at " + hostport(host, port);
    return fmt::format("{}master {}{}{}{} (sentinels {})", tls.enabled ? "TLS " : "", sentinel.master_name, at,
                       db ? fmt::format(" db {}", db) : "", user.empty() ? "" : " as " + user, fmt::join(nodes, ","));
  }
  const std::string who = (tls.enabled ? "rediss://" : "") + (user.empty() ? "" : user + "@");
  std::string where = hostport(host, port);
  for (const auto& s : seeds) where += "," + hostport(s.host, s.port);
  return db ? fmt::format("{}{}/{}", who, where, db) : who + where;
}

Target parse_target(std::string_view url) {
  Target t;
  std::string_view rest = url;
  if (rest.substr(0, 7) == "unix://") {
    rest.remove_prefix(7);
    auto q = rest.find('?');
    t.unix_path = std::string(rest.substr(0, q));
    if (q != std::string_view::npos) parse_query(rest.substr(q + 1), t, url);
    if (t.unix_path.empty() || t.unix_path[0] != '/') {
      throw usage_error(fmt::format("bad Redis URL {}: expected unix:///absolute/path.sock", util::redact(url)));
    }
    return t;
  }
  bool sentinel = false;
  if (rest.substr(0, 9) == "rediss://") {
    t.tls.enabled = true;
    rest.remove_prefix(9);
  } else if (rest.substr(0, 8) == "redis://") {
    rest.remove_prefix(8);
  } else if (rest.substr(0, 17) == "redis+sentinel://") {
    sentinel = true;
    rest.remove_prefix(17);
  } else if (rest.substr(0, 18) == "rediss+sentinel://") {
    sentinel = true;
    t.tls.enabled = true;
    rest.remove_prefix(18);
  } else {
    throw usage_error(fmt::format("bad Redis URL {}: expected redis://host[:port][/db] (rediss:// for TLS), with user "
                                  "and password before the host if needed",
                                  util::redact(url)));
  }
  auto q = rest.find('?');
  if (q != std::string_view::npos) {
    parse_query(rest.substr(q + 1), t, url);
    rest = rest.substr(0, q);
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (sentinel) {  // /master[/db]
    auto next = path.find('/');
    t.sentinel.master_name = std::string(path.substr(0, next));
    path = next == std::string_view::npos ? std::string_view() : path.substr(next + 1);
    if (t.sentinel.master_name.empty()) {
      throw usage_error(fmt::format("bad Redis URL {}: expected redis+sentinel://host:port[,host:port...]/master[/db]",
                                    util::redact(url)));
    }
  }
  if (!path.empty()) t.db = parse_number(path, 0, 1 << 20, "database number", url);
  // The last '@' ends the userinfo: a password may itself contain '@'.
  auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    auto colon = userinfo.find(':');
    t.user = percent_decode(userinfo.substr(0, colon), url);
    if (colon != std::string_view::npos) {
      t.password = percent_decode(userinfo.substr(colon + 1), url);
      t.password_in_url = true;
    }
  }
  if (sentinel) {
    t.host.clear();  // filled in from the sentinels' answer
    t.port = 0;
    while (true) {
      auto comma = authority.find(',');
      t.sentinel.nodes.push_back(parse_host_port(authority.substr(0, comma), 26379, url));
      if (comma == std::string_view::npos) break;
      authority.remove_prefix(comma + 1);
    }
    return t;
  }
  // Several hosts: seed nodes of a Redis Cluster, tried in turn.
  auto comma = authority.find(',');
  const HostPort hp = parse_host_port(authority.substr(0, comma), 6379, url);
  t.host = hp.host;
  t.port = hp.port;
  while (comma != std::string_view::npos) {
    authority.remove_prefix(comma + 1);
    comma = authority.find(',');
    t.seeds.push_back(parse_host_port(authority.substr(0, comma), 6379, url));
    t.cluster = true;
  }
  return t;
}

}  // namespace opsctl::redis
