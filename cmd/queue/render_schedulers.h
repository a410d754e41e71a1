#pragma once
// Renderings of `queue schedulers` for people (text) and monitoring (nagios, prom).
#include <string>

#include "output/prom_catalog.h"
#include "queue/schedulers.h"

namespace opsctl::cmd {

std::string schedulers_text(const queue::SchedulersResult& r, const queue::QueueRef& ref, std::int64_t now_ms,
                            bool color);
std::string schedulers_nagios(const queue::SchedulersResult& r, const queue::QueueRef& ref);
std::string schedulers_prom(const queue::SchedulersResult& r, const queue::QueueRef& ref, const output::PromLabels& run);

}  // namespace opsctl::cmd
