#include "queue/job_filter.h"

#include <fmt/format.h>

#include "core/error.h"

namespace opsctl::queue {

JobFilter::JobFilter(const QueueRetryOptions& o) : name_(o.name) {
  if (!o.reason) return;
  try {
    reason_.emplace(*o.reason, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    throw usage_error(fmt::format("--reason '{}' is not a valid regular expression: {}", *o.reason, e.what()));
  }
}

bool JobFilter::matches(const std::optional<std::string>& name, const std::optional<std::string>& reason) const {
  if (name_ && name != name_) return false;
  if (reason_ && (!reason || !std::regex_search(*reason, *reason_))) return false;
  return true;
}

}  // namespace opsctl::queue
