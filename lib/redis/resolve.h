#pragma once
// Inside lib/redis only: host names to addresses within a deadline. getaddrinfo has no deadline of
// its own (glibc's resolver waits 5 s per DNS server and attempt), so a name is looked up on a
// thread of its own and a lookup still running at the deadline is abandoned there.
#include <netdb.h>

#include <memory>
#include <string>

#include "redis/transport.h"

namespace opsctl::redis {

using AddrInfoPtr = std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)>;

// The addresses of host:port for a stream socket. A numeric address is converted at once, without
// a thread. Throws TransportError(dns) when the name does not resolve or the deadline passes first.
AddrInfoPtr resolve(const std::string& host, int port, Clock::time_point deadline);

}  // namespace opsctl::redis
