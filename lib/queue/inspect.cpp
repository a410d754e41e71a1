#include "queue/inspect.h"

#include <algorithm>

namespace opsctl::queue {

const std::vector<std::string>& listable_states() {
  static const std::vector<std::string> s = {"waiting",   "active", "delayed", "prioritized",
                                             "completed", "failed", "waiting-children", "paused"};
  return s;
}

bool is_listable_state(const std::string& s) {
  const auto& all = listable_states();
  return std::find(all.begin(), all.end(), s) != all.end();
}

}  // namespace opsctl::queue
