#pragma once
// --expect-body: an ECMAScript regular expression searched in a body, or plain text found as it is.
// libstdc++'s std::regex recurses per character (a long body overflows the stack) and some patterns
// cost the square of a long line, so the search uses the breadth-first executor, refuses
// backreferences, and runs on its own thread under a deadline.
#include <chrono>
#include <optional>
#include <string>

#include "core/status.h"

namespace opsctl::health {

// Throws a usage error naming the pattern when it is not a valid regex or holds a backreference.
void validate_body_pattern(const std::string& pattern);

struct Mismatch {
  Status status;    // critical: not found; unknown: the search failed or ran out of time
  std::string why;
};

// nullopt when the body matches. A search still running after `limit` is given up (unknown).
std::optional<Mismatch> body_mismatch(const std::string& pattern, const std::string& body,
                                      std::chrono::milliseconds limit);

}  // namespace opsctl::health
