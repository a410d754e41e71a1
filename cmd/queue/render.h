#pragma once
// Renderings of queue results for people (text) and monitoring (nagios, prom).
#include <string>

#include "output/monitoring.h"
#include "output/prom_catalog.h"
#include "queue/counts.h"
#include "queue/inspect.h"

namespace opsctl::cmd {

std::string inspect_text(const queue::InspectResult& r, bool color);
std::string inspect_nagios(const queue::InspectResult& r);
// run: the labels of the run (command, target) every sample carries.
std::string inspect_prom(const queue::InspectResult& r, const output::PromLabels& run);

// One line per check, with its "why" under each non-ok one (shared by inspect and list).
std::string checks_text(const std::vector<queue::Check>& checks, bool color);
// Each check's figure as Nagios perfdata with its warn;crit thresholds.
std::vector<output::PerfData> checks_perfdata(const std::vector<queue::Check>& checks);
// The gauges of one queue (shared by inspect and list): jobs by state, paused, window counts,
// quantiles, last finished age, schedulers overdue, check levels.
void add_queue_metrics(output::PromSet& out, const queue::QueueFigures& f, const std::vector<queue::Check>& checks);

}  // namespace opsctl::cmd
