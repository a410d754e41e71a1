#pragma once
// "host", "host:port", "[v6]" and "[v6]:port": the one parser of a network address, shared by the
// Redis URL (lib/redis/target.cpp) and the config file's sentinels list (lib/config).
#include <string>
#include <string_view>

namespace opsctl::util {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 address; empty when the text gave none
  int port = 0;
};

// What parse_host_port made of the text: the address, or why it is not one.
struct HostPortParse {
  HostPort value;
  std::string error;  // empty: ok; else "port 'x' is not a number in 1-65535" or "unclosed '['"
  std::string bad_port;  // the port text when that was the problem
};

// Parses text; a missing (or empty) port is default_port. Malformed: an unclosed '[', text after ']'
// that is not ":port", a port that is not a number in 1-65535.
HostPortParse parse_host_port(std::string_view text, int default_port);

// "host:port", "[::1]:port" for an IPv6 address.
std::string format_host_port(const HostPort& hp);

}  // namespace opsctl::util
