#pragma once
// JSON for queue results; the field names are the contract documented in opsctl(1).
#include <nlohmann/json.hpp>

#include "queue/counts.h"
#include "queue/inspect.h"
#include "queue/job.h"

namespace opsctl::queue {

nlohmann::json counts_json(const Counts& counts);
nlohmann::json to_json(const JobDetail& d, const QueueRef& ref);
nlohmann::json to_json(const Check& c);
// The time-aware figures (windows, quantiles, throughput, long-active jobs), every field present.
nlohmann::json figures_json(const QueueFigures& f, const Thresholds& t);

}  // namespace opsctl::queue
