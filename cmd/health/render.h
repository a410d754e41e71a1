#pragma once
// Renderings of health results: text table, JSON document, Nagios line, Prometheus metrics.
#include <string>
#include <vector>

#include "health/check.h"

namespace opsctl::cmd {

std::string health_text(const std::vector<health::CheckResult>& results, bool color);
std::string health_json(const std::vector<health::CheckResult>& results);
std::string health_nagios(const std::vector<health::CheckResult>& results);
std::string health_prom(const std::vector<health::CheckResult>& results);

}  // namespace opsctl::cmd
