#pragma once
// The session filters shared by db sessions, db cancel and db terminate: same names, same meaning.
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "db/session_filter.h"

namespace opsctl::cmd {

struct FilterFlags {
  std::vector<std::string> states;
  std::string older_than;
  std::string user;
  std::string app;
  std::string db;
  std::string query_like;
  std::vector<std::int64_t> pids;
  std::string backend_start;
  bool all = false;
};

void add_filter_flags(CLI::App& cmd, FilterFlags& f);

// Validated filters: known states, a valid duration, positive pids, --backend-start with exactly
// one --pid (an ISO 8601 timestamp as db sessions prints it). Throws usage_error.
db::SessionFilter to_filter(const FilterFlags& f);

}  // namespace opsctl::cmd
