#pragma once
// The result of every mutation (queue, job, db and runbook fix steps), in the fixed JSON shape of
// opsctl(1), MUTATIONS: {"action","target","dry_run","matched","changed","ids":[sample],
// "problems":[...],"results":[...]}; and the error that says how far an interrupted one got.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "queue/keys.h"  // Problem: a plain record (id, key, field, problem), no queue logic

namespace opsctl::mutation {

// Two-value enum instead of a bare bool at call sites: retry(client, opts, DryRun::yes).
enum class DryRun { no, yes };

// How many ids a result keeps as its sample.
constexpr std::size_t sample_size = 20;

using Problem = queue::Problem;

struct IdResult {       // per-id outcome of the `job` verbs, the sessions of `db` signals
  std::string id;
  std::string result;   // "retried", "removed", "promoted", "would retry", "refused", "not found", ...
  std::string reason;   // why it was refused or skipped; empty on success
};

struct Result {
  std::string action;   // "queue.retry", "job.remove", ...
  std::string target;   // "127.0.0.1:6379 bull:emails" (redacted display)
  bool dry_run = false;
  std::int64_t matched = 0;
  std::int64_t changed = 0;
  std::vector<std::string> ids;  // sample of matched ids, at most sample_size
  std::vector<Problem> problems; // corrupted or missing jobs, skipped and reported
  std::vector<IdResult> results; // per-id outcomes (job verbs); empty for bulk verbs
  // What a verb shows of the matched items beyond ids (the sessions of db terminate, the rows of
  // job unstick --sql): extra JSON fields, never replacing the fixed ones, and their text form,
  // printed before the summary and in the confirmation prompt. Empty when none.
  nlohmann::json details = nlohmann::json::object();
  std::string details_text;

  void add_sample(const std::string& id) {
    if (ids.size() < sample_size) ids.push_back(id);
  }
};

nlohmann::json to_json(const Result& r);

// A bulk mutation cut off by a failure (a dropped connection, a frozen server past --timeout): the
// cause (same exit code and kind) and what the batches that returned had done. The one call in
// flight when it failed may have been applied too: each call re-checks every job's state, so
// running the same command again continues where it stopped and changes nothing twice.
class Interrupted : public Error {
 public:
  Interrupted(const Error& cause, Result partial)
      : Error(cause.code(), cause.kind(), cause.what()), partial_(std::move(partial)) {}
  const Result& partial() const { return partial_; }

 private:
  Result partial_;
};

// Runs body(); a failure inside leaves as Interrupted carrying result as it stood.
template <class Body>
void interruptible(Result& result, Body&& body) {
  try {
    body();
  } catch (const Interrupted&) {
    throw;
  } catch (const Error& e) {
    if (e.code() == ExitCode::not_done) throw;  // refused before anything changed
    throw Interrupted(e, result);
  }
}

}  // namespace opsctl::mutation
