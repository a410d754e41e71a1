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

// Adds one opsctl_queue_jobs sample per state of a queue (shared by inspect and list).
void add_jobs_samples(output::PromMetric& jobs, const queue::QueueRef& ref, const queue::Counts& counts);

}  // namespace opsctl::cmd
