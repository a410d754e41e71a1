#pragma once
// One health check's verdict, in the fixed JSON shape of opsctl(1), health:
// {"name","kind":"redis"|"postgres"|"http","target","status","latency_ms","message","details"}.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace opsctl::health {

struct CheckResult {
  std::string name;
  std::string kind;
  std::string target;   // redacted
  Status status = Status::unknown;
  double latency_ms = 0;  // measured to 0.1 ms
  double slow_ms = 0;     // --slow: warning at or above this latency (0: none)
  std::string message;  // one line an on-call engineer acts on
  nlohmann::json details = nlohmann::json::object();
};

using Check = std::function<CheckResult()>;

// Runs every check on its own thread; total time is about the slowest check, not the sum. A check
// that throws becomes a critical result carrying the error message: one broken check never hides the
// others. Results keep the order of checks.
std::vector<CheckResult> run_parallel(const std::vector<Check>& checks);

Status overall(const std::vector<CheckResult>& results);

nlohmann::json to_json(const CheckResult& r);

// Milliseconds elapsed since start, rounded to 0.1 ms (round_latency_ms).
double elapsed_ms(std::chrono::steady_clock::time_point start);
// A latency rounded to 0.1 ms, the precision every output publishes and --slow judges.
double round_latency_ms(double ms);

}  // namespace opsctl::health
