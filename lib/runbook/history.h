#pragma once
// The run history (opsctl-runbook(5), RUN HISTORY): append-only JSON lines next to the audit log,
// keyed by run id: a "start" record (runbook, params redacted, who, context), a "step" record per
// settled step (written and fsync'd before the next step starts), an "end" record (outcome, exit).
// A resumed run appends to the same id. Folding the records gives each run's state, from which
// `runbook run --resume` restores the completed steps.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runbook/executor.h"

namespace opsctl::runbook::history {

// runbook-history.jsonl in the directory of the audit log.
std::filesystem::path path_for(const std::filesystem::path& audit_log);

// "20261207-201500-3fa9": UTC time of the start and 16 random bits.
std::string new_run_id(std::int64_t now_ms);

struct Start {
  std::string run_id, runbook, source, context, user, host;
  std::vector<std::pair<std::string, std::string>> params;  // redacted here
  std::vector<std::string> step_ids;                          // the runbook's steps, to notice an edited one
  bool dry_run = false;
  bool resume = false;  // a --resume of run_id
};

nlohmann::json start_record(const Start& s, std::int64_t now_ms);
nlohmann::json step_record(const std::string& run_id, const StepReport& r, std::int64_t now_ms);
nlohmann::json end_record(const RunReport& r, std::int64_t now_ms);

// Appends one record durably (audit::append_line); throws Error(not_done) naming the file.
void append(const std::filesystem::path& path, const nlohmann::json& record);

// The records of the file in order; lines that are not JSON objects are skipped. No file: none.
std::vector<nlohmann::json> read(const std::filesystem::path& path);

// One run, folded from its records.
struct Run {
  std::string run_id, runbook, source, context, user, host, started_at;
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::string> step_ids;
  std::map<std::string, nlohmann::json> steps;  // step id -> its latest step record's report
  std::vector<std::string> step_order;           // as recorded
  std::string outcome;  // of the latest end record; "interrupted" when none followed the latest start
  std::string status;
  int exit_code = -1;
  std::int64_t duration_ms = 0;  // sum over its segments
  int resumes = 0;
  bool dry_run = false;
  std::string awaiting;  // the approve step it waits at
};

// Runs in the order they started.
std::vector<Run> fold(const std::vector<nlohmann::json>& records);

// A step report back from its JSON (report.h to_json), for a resumed run.
StepReport step_from_json(const nlohmann::json& j);

// Whether a recorded step was completed: a resumed run restores it and does not run it again.
bool completed(const std::string& status);

// Whether a run may be resumed: interrupted, awaiting approval, refused or failed.
bool resumable(const Run& r);

nlohmann::json to_json(const Run& r);

}  // namespace opsctl::runbook::history
