#pragma once
// One job read from its hash, with every field checked: bad data becomes a Problem on the job,
// never an exception, so one corrupted job cannot stop a command.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "queue/keys.h"
#include "queue/layout.h"

namespace opsctl::queue {

// Values larger than this are shown truncated (a 2 MB payload must not flood a terminal).
constexpr std::size_t max_shown_value_bytes = 64 * 1024;

struct JobDetail {
  std::string id;
  bool has_hash = false;
  std::string state = "unknown";  // completed, failed, delayed, prioritized, active, waiting, waiting-children
  std::optional<std::string> name;
  nlohmann::json data, opts, returnvalue, progress;  // parsed JSON, or the raw text when not JSON
  std::optional<std::int64_t> attempts_made, attempts_started, stalled_count;
  std::optional<std::string> failed_reason, will_fail_reason;  // will_fail_reason: BullMQ's `defa`
  nlohmann::json stacktrace = nlohmann::json::array();
  std::vector<std::string> logs;
  std::int64_t log_count = 0;
  std::optional<std::int64_t> timestamp, processed_on, finished_on, delay, priority;
  std::optional<std::int64_t> lock_ttl_ms;  // active jobs: remaining lock time; nullopt = no lock
  std::optional<std::string> worker;        // `pb`: the worker that processed it
  std::optional<std::string> parent_key;
  std::vector<Problem> problems;
};

// Field-by-field parsing of a hash (as returned by HGETALL) into detail, adding problems.
void parse_job_hash(const std::vector<std::pair<std::string, std::string>>& fields, JobDetail& detail);

// A stored JSON value for display: parsed when valid, else the raw text (base64 when binary,
// truncated when huge) with a problem naming the field.
nlohmann::json decode_json_field(const std::string& field, const std::string& raw, JobDetail& detail);

}  // namespace opsctl::queue
