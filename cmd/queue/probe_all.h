#pragma once
// Every queue under the session's prefix probed in a few shared pipelines and judged, as `queue list`
// and `opsctl top` show them.
#include <cstdint>
#include <vector>

#include "cmd/queue/render_list.h"
#include "cmd/queue/thresholds.h"
#include "cmd/session.h"

namespace opsctl::cmd {

// sample: newest completed jobs per queue for the processing time.
std::vector<ListedQueue> probe_prefix(Session& s, const ThresholdFlags& flags, const std::string& prefix, std::int64_t sample);

}  // namespace opsctl::cmd
