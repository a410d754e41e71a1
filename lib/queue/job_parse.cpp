// Parsing of a job hash's fields, with a problem for each value that is not what BullMQ writes.
#include <fmt/format.h>

#include "queue/job.h"
#include "util/text.h"

namespace opsctl::queue {
namespace {

void add_problem(JobDetail& d, const std::string& field, const std::string& what) {
  d.problems.push_back({d.id, "", field, what});
}

std::optional<std::int64_t> int_field(const std::string& field, const std::string& raw, JobDetail& d) {
  auto v = util::parse_int(raw);
  if (!v) add_problem(d, field, fmt::format("{} is not an integer: '{}'", field, util::truncate_utf8(raw, 40)));
  return v;
}

}  // namespace

nlohmann::json decode_json_field(const std::string& field, const std::string& raw, JobDetail& d) {
  if (!util::is_valid_utf8(raw)) {
    add_problem(d, field, fmt::format("{} holds binary (non-UTF-8) bytes ({} bytes); shown as base64", field,
                                      raw.size()));
    std::string shown = raw.size() > max_shown_value_bytes ? raw.substr(0, max_shown_value_bytes) : raw;
    return util::base64_encode(shown);
  }
  if (raw.size() > max_shown_value_bytes) {
    add_problem(d, field, fmt::format("{} is {} bytes; shown truncated to the first {} bytes", field, raw.size(),
                                      max_shown_value_bytes));
    return util::truncate_utf8(raw, max_shown_value_bytes);
  }
  auto parsed = nlohmann::json::parse(raw, nullptr, false);
  if (parsed.is_discarded()) {
    add_problem(d, field, fmt::format("{} is not valid JSON (a worker's JSON.parse would throw)", field));
    return raw;
  }
  return parsed;
}

void parse_job_hash(const std::vector<std::pair<std::string, std::string>>& fields, JobDetail& d) {
  bool has_data = false, has_timestamp = false;
  // BullMQ's Job reads an absent counter as 0 (rawToJobJson: `parseInt(raw.atm || '0')`); only a
  // counter that is there but not a number is unknown (null, with a problem).
  if (!fields.empty()) d.attempts_made = d.attempts_started = d.stalled_count = 0;
  for (const auto& [field, raw] : fields) {
    if (field == "name") d.name = util::is_valid_utf8(raw) ? raw : util::base64_encode(raw);
    else if (field == "data") { d.data = decode_json_field("data", raw, d); has_data = true; }
    else if (field == "opts") {
      auto before = d.problems.size();
      d.opts = decode_json_field("opts", raw, d);
      if (!d.opts.is_object() && d.problems.size() == before) add_problem(d, "opts", "opts is not a JSON object");
    }
    else if (field == "returnvalue") d.returnvalue = decode_json_field("returnvalue", raw, d);
    else if (field == "progress") d.progress = decode_json_field("progress", raw, d);
    else if (field == "stacktrace") {
      auto st = decode_json_field("stacktrace", raw, d);
      if (st.is_array()) d.stacktrace = st;
      else d.stacktrace = nlohmann::json::array({st});
    }
    else if (field == "failedReason") d.failed_reason = raw;
    else if (field == "defa") d.will_fail_reason = raw;
    else if (field == "atm" || field == "attemptsMade") d.attempts_made = int_field(field, raw, d);
    else if (field == "ats") d.attempts_started = int_field(field, raw, d);
    else if (field == "stc" || field == "stalledCounter") d.stalled_count = int_field(field, raw, d);
    else if (field == "timestamp") { d.timestamp = int_field(field, raw, d); has_timestamp = true; }
    else if (field == "processedOn") d.processed_on = int_field(field, raw, d);
    else if (field == "finishedOn") d.finished_on = int_field(field, raw, d);
    else if (field == "delay") d.delay = int_field(field, raw, d);
    else if (field == "priority") d.priority = int_field(field, raw, d);
    else if (field == "pb") d.worker = raw;
    else if (field == "parentKey") d.parent_key = raw;
  }
  if (!d.name) add_problem(d, "name", "job has no name field (a worker would see name undefined)");
  if (!has_data) add_problem(d, "data", "job has no data field (a worker would see {})");
  if (!has_timestamp) add_problem(d, "timestamp", "job has no timestamp field");
  if (d.will_fail_reason) {
    add_problem(d, "defa", fmt::format("will fail on its next pickup without running: {}", *d.will_fail_reason));
  }
}

}  // namespace opsctl::queue
