#include "util/host_port.h"

#include <fmt/format.h>

#include "util/text.h"

namespace opsctl::util {

HostPortParse parse_host_port(std::string_view text, int default_port) {
  HostPortParse r{{"", default_port}, {}, {}};
  HostPort& out = r.value;
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text[0] == '[') {  // [::1]:6379
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      r.error = "unclosed '['";
      return r;
    }
    out.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') {
        r.error = "text after ']' that is not :port";
        return r;
      }
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
      text = text.substr(0, colon);
      has_port = true;
    }
    out.host = std::string(text);
  }
  if (has_port && !port_text.empty()) {
    auto port = parse_int(port_text);
    if (!port || *port < 1 || *port > 65535) {
      r.bad_port = std::string(port_text);
      r.error = fmt::format("port '{}' is not a number in 1-65535", port_text);
      return r;
    }
    out.port = static_cast<int>(*port);
  }
  return r;
}

std::string format_host_port(const HostPort& hp) {
  return fmt::format("{}:{}", hp.host.find(':') != std::string::npos ? "[" + hp.host + "]" : hp.host, hp.port);
}

}  // namespace opsctl::util
