#pragma once
// Renderings of the pool diagnosis: text for people, the Nagios line, Prometheus metrics.
#include <string>

#include "db/pool.h"
#include "output/prom_catalog.h"

namespace opsctl::cmd {

std::string pool_text(const db::PoolReport& r, const std::string& target, bool color);
// OPSCTL DB <STATUS> - <verdict> | used=..;warn;crit available=.. idle_in_transaction=.. ...
std::string pool_nagios(const db::PoolReport& r);
// opsctl_pg_connections{state=...}, opsctl_pg_connections_available, ...; every sample carries the
// run's labels (target).
std::string pool_prom(const db::PoolReport& r, const output::PromLabels& run);

}  // namespace opsctl::cmd
