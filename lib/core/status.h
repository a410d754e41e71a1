#pragma once
// Check verdicts shared by every check-like command (health, db pool, queue inspect, runbook run).
#include <string_view>

#include "core/error.h"

namespace opsctl {

enum class Status { ok, warning, critical, unknown };

constexpr std::string_view to_string(Status s) {
  switch (s) {
    case Status::ok: return "ok";
    case Status::warning: return "warning";
    case Status::critical: return "critical";
    case Status::unknown: return "unknown";
  }
  return "unknown";
}

// Nagios spelling: OK, WARNING, CRITICAL, UNKNOWN.
constexpr std::string_view to_upper(Status s) {
  switch (s) {
    case Status::ok: return "OK";
    case Status::warning: return "WARNING";
    case Status::critical: return "CRITICAL";
    case Status::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

constexpr ExitCode exit_code(Status s) {
  switch (s) {
    case Status::ok: return ExitCode::ok;
    case Status::warning: return ExitCode::warning;
    case Status::critical: return ExitCode::critical;
    case Status::unknown: return ExitCode::unknown;
  }
  return ExitCode::unknown;
}

// The more severe of two verdicts: critical > unknown > warning > ok.
constexpr Status worst(Status a, Status b) {
  auto rank = [](Status s) {
    switch (s) {
      case Status::ok: return 0;
      case Status::warning: return 1;
      case Status::unknown: return 2;
      case Status::critical: return 3;
    }
    return 2;
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace opsctl
