#pragma once
// Inside lib/redis only: the master behind Sentinel. Each sentinel is asked in turn for the master's
// address, and the answer is confirmed with ROLE on the master itself.
#include "redis/client.h"

namespace opsctl::redis {

// The connected master of target.sentinel; throws Error(critical) with every sentinel's answer when
// none gave a usable master.
Client connect_sentinel_master(const Target& target, const ConnectOptions& options);

}  // namespace opsctl::redis
