#pragma once
// Where a Redis server is and how to log in: parsed from redis://[user[:password]@]host[:port][/db],
// rediss://... (TLS), redis+sentinel://[user[:password]@]h1:26379,h2:26379/master[/db] (rediss+sentinel://
// for TLS to the sentinels and the master), redis://h1:7000,h2:7001 (Redis Cluster seed nodes) or
// unix:///path/to.sock[?db=N]. display() is the redacted
// form used in every message.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/host_port.h"

namespace opsctl::redis {

// TLS to the server: peer verification against the system store or ca_file unless insecure.
struct TlsSettings {
  bool enabled = false;
  std::string ca_file;      // PEM bundle; empty: the system store
  std::string cert_file;    // client certificate (PEM), when the server asks for one
  std::string key_file;     // its key; empty: in cert_file
  std::string server_name;  // the name to verify and send as SNI; empty: the host
  bool insecure = false;    // no verification at all (said in every output)
};

using HostPort = util::HostPort;

// Sentinel: ask these nodes in turn for the master's address (redis+sentinel://h1,h2/master).
struct SentinelSettings {
  std::vector<HostPort> nodes;  // empty: no Sentinel, host and port are the server itself
  std::string master_name;
  std::optional<std::string> password;  // the sentinels' own (REDIS_SENTINEL_PASSWORD, a context file)
};

struct Target {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unix_path;  // non-empty: connect over a Unix socket instead of TCP
  std::string user;       // ACL user; empty: the default user
  std::optional<std::string> password;
  int db = 0;
  bool password_in_url = false;  // the caller warns once: argv is visible in ps and shell history
  TlsSettings tls;
  SentinelSettings sentinel;  // when set, host and port are filled in by the connection
  // Redis Cluster: any node's URL works (detected at login); cluster (context `cluster: true`, or a URL
  // with several hosts) requires one, and seeds are further nodes to try after host:port.
  bool cluster = false;
  std::vector<HostPort> seeds;

  // "127.0.0.1:6379", "user@host:6380/2", "rediss://host:6380", "unix:///run/redis.sock",
  // "master mymaster at 10.0.0.5:6379 (sentinels h1:26379,h2:26379)": never the password.
  std::string display() const;
};

// Parses a URL. Throws usage_error naming the (redacted) URL on anything malformed:
// unknown scheme, bad port, bad db number.
Target parse_target(std::string_view url);

}  // namespace opsctl::redis
