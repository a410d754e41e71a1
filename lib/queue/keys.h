#pragma once
// Naming of BullMQ (and Bull) keys: <prefix>:<queue>:<suffix>, job hashes <prefix>:<queue>:<id>.
#include <string>
#include <string_view>
#include <vector>

namespace opsctl::queue {

struct QueueRef {
  std::string prefix;  // "bull", "app:bull", "{bull}"
  std::string name;

  std::string base() const { return prefix + ":" + name + ":"; }
  std::string key(std::string_view suffix) const { return base() + std::string(suffix); }
  std::string job_key(std::string_view id) const { return base() + std::string(id); }
  std::string display() const { return prefix + ":" + name; }
};

// Escapes glob metacharacters (* ? [ ] \) for SCAN MATCH; braces stay literal.
std::string escape_glob(std::string_view text);

// BullMQ's job states as getJobCounts() names them, in its default order.
const std::vector<std::string>& bullmq_states();
// The key suffix holding a state: "waiting" -> "wait", others unchanged.
std::string state_key_suffix(std::string_view state);

// Problems found in the data are reported, never thrown: a command goes on with the other jobs.
struct Problem {
  std::string id;    // job id, when the problem is about one job
  std::string key;   // Redis key, when it is about one key
  std::string field; // job hash field, when it is about one field
  std::string problem;
};

}  // namespace opsctl::queue
