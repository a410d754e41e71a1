#include "queue/clear.h"

#include <algorithm>

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

}  // namespace opsctl::queue
