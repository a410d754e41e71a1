#pragma once
// Renderings of `queue schedulers` for people (text) and monitoring (nagios, prom).
#include <string>

#include "output/prom_catalog.h"
#include "queue/schedulers.h"

namespace opsctl::cmd {

std::string schedulers_text(const queue::SchedulersResult& r, const queue::QueueRef& ref, std::int64_t now_ms,
                            bool color);
std::string schedulers_nagios(const queue::SchedulersResult& r, const queue::QueueRef& ref);
// Labelled prefix and queue only (a promise of its first release); the run's own metrics (Session)
// carry command and target.
std::string schedulers_prom(const queue::SchedulersResult& r, const queue::QueueRef& ref);

}  // namespace opsctl::cmd
