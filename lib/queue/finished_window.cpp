#include "queue/finished_window.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "util/duration.h"

namespace opsctl::queue {

FinishedWindow finished_window(std::int64_t now_ms, std::optional<std::int64_t> since_ms,
                               std::optional<std::int64_t> older_than_ms) {
  FinishedWindow w;
  w.max_score = now_ms - older_than_ms.value_or(0);
  if (!since_ms) return w;
  if (*since_ms <= 0) throw usage_error("--since must be longer than 0 (it selects jobs finished within that time)");
  if (older_than_ms && *since_ms <= *older_than_ms) {
    throw usage_error(fmt::format("--since ({}) must be longer than --older-than ({}): the window runs from "
                                  "--since ago to --older-than ago, and this one is empty",
                                  util::format_duration(util::Millis{*since_ms}),
                                  util::format_duration(util::Millis{*older_than_ms})));
  }
  w.min_score = std::max<std::int64_t>(0, now_ms - *since_ms);
  return w;
}

std::string since_phrase(const std::string& state, const std::string& since, const std::string& older_than) {
  if (older_than.empty()) return fmt::format("{} jobs finished within {}", state, since);
  return fmt::format("{} jobs finished between {} and {} ago", state, since, older_than);
}

}  // namespace opsctl::queue
