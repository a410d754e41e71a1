#include "queue/clear.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace opsctl::queue {

const std::vector<std::string>& clearable_states() {
  static const std::vector<std::string> states = {"completed", "failed", "waiting", "delayed", "prioritized", "active"};
  return states;
}

bool is_clearable_state(const std::string& state) {
  const auto& s = clearable_states();
  return std::find(s.begin(), s.end(), state) != s.end();
}

const std::vector<std::string>& since_states() {
  static const std::vector<std::string> states = {"completed", "failed"};
  return states;
}

bool takes_since(const std::string& state) {
  const auto& s = since_states();
  return std::find(s.begin(), s.end(), state) != s.end();
}

void check_clear_options(const ClearOptions& o) {
  if (!is_clearable_state(o.state)) throw usage_error(fmt::format("queue clear: unknown state '{}'", o.state));
  if (o.min_ms > 0 && !takes_since(o.state)) {
    throw usage_error(fmt::format("queue clear: --since applies to {} only, not {}", fmt::join(since_states(), " and "),
                                  o.state));
  }
}

}  // namespace opsctl::queue
