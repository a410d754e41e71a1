#pragma once
#include <optional>
#include <regex>
#include <string>

#include "queue/retry.h"

namespace opsctl::queue {

class JobFilter {
 public:
  // Compiles --reason; throws usage_error naming the bad expression.
  explicit JobFilter(const QueueRetryOptions& options);
  bool active() const { return name_.has_value() || reason_.has_value(); }
  bool matches(const std::optional<std::string>& name, const std::optional<std::string>& failed_reason) const;

 private:
  std::optional<std::string> name_;
  std::optional<std::regex> reason_;
};

}  // namespace opsctl::queue
