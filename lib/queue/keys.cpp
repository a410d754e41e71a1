#include "queue/keys.h"

namespace opsctl::queue {

std::string escape_glob(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

const std::vector<std::string>& bullmq_states() {
  static const std::vector<std::string> states = {"active",      "completed", "delayed",         "failed",
                                                  "prioritized", "waiting",   "waiting-children"};
  return states;
}

std::string state_key_suffix(std::string_view state) {
  return state == "waiting" ? "wait" : std::string(state);
}

}  // namespace opsctl::queue
