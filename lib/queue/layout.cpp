#include "queue/layout.h"

namespace opsctl::queue {

std::string to_string(Layout l) {
  switch (l) {
    case Layout::bullmq: return "bullmq";
    case Layout::bull: return "bull";
    case Layout::unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace opsctl::queue
