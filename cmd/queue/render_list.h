#pragma once
// Renderings of `queue list`: the text table, one JSON document, one Nagios line for the prefix,
// the Prometheus families of every queue.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "output/prom_catalog.h"
#include "queue/checks.h"

namespace opsctl::cmd {

struct ListedQueue {
  queue::QueueFigures figures;
  queue::Thresholds thresholds;
  queue::Verdict verdict;
};

std::string list_text(const std::string& prefix, const std::vector<ListedQueue>& queues, bool color);
nlohmann::json list_json(const std::string& prefix, const std::vector<ListedQueue>& queues, Status status);
std::string list_nagios(const std::string& prefix, const std::vector<ListedQueue>& queues, Status status);
std::string list_prom(const std::vector<ListedQueue>& queues, const output::PromLabels& run);

}  // namespace opsctl::cmd
