#pragma once
// The database tab of `opsctl top`, like pg_activity: slots used and available by state, the longest
// transactions, sessions idle in a transaction, blocking chains, PgBouncer pools when configured.
#include <optional>
#include <string>
#include <vector>

#include "db/pool.h"
#include "top/layout.h"

namespace opsctl::top {

// v.selected is the session under the cursor among the idle-in-transaction and long-running rows.
std::vector<Line> db_frame(const std::optional<db::PoolReport>& pool, const std::string& error, const Snapshot& s,
                           const View& v, int width, int height);

// The sessions the cursor moves over, in screen order (idle in transaction, then long running).
std::vector<db::SessionRow> db_selectable(const db::PoolReport& pool);

}  // namespace opsctl::top
