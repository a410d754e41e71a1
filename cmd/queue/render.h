#pragma once
// Renderings of queue results for people (text) and monitoring (nagios, prom).
#include <string>

#include "output/monitoring.h"
#include "queue/counts.h"
#include "queue/inspect.h"

namespace opsctl::cmd {

std::string inspect_text(const queue::InspectResult& r, bool color);
std::string inspect_nagios(const queue::InspectResult& r);
std::string inspect_prom(const queue::InspectResult& r);

// One line per check, with its "why" under each non-ok one (shared by inspect and list).
std::string checks_text(const std::vector<queue::Check>& checks, bool color);
// Each check's figure as Nagios perfdata with its warn;crit thresholds.
std::vector<output::PerfData> checks_perfdata(const std::vector<queue::Check>& checks);
// The time-aware gauges of one queue: window counts, quantiles, last finished age, check levels.
void add_figures_metrics(std::vector<output::PromMetric>& metrics, const queue::QueueFigures& f,
                         const std::vector<queue::Check>& checks);

// Adds one opsctl_queue_jobs sample per state of a queue (shared by inspect and list).
void add_jobs_samples(output::PromMetric& jobs, const queue::QueueRef& ref, const queue::Counts& counts);

}  // namespace opsctl::cmd
