#pragma once
// The result of every mutating queue/job command, in the fixed JSON shape of opsctl(1), MUTATIONS:
// {"action","target","dry_run","matched","changed","ids":[sample],"problems":[...],"results":[...]}.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "queue/keys.h"

namespace opsctl::queue {

// Two-value enum instead of a bare bool at call sites: retry(client, opts, DryRun::yes).
enum class DryRun { no, yes };

// How many ids a result keeps as its sample.
constexpr std::size_t mutation_sample_size = 20;

struct IdResult {       // per-id outcome of the `job` verbs
  std::string id;
  std::string result;   // "retried", "removed", "promoted", "would retry", "refused", "not found", ...
  std::string reason;   // why it was refused or skipped; empty on success
};

struct MutationResult {
  std::string action;   // "queue.retry", "job.remove", ...
  std::string target;   // "127.0.0.1:6379 bull:emails" (redacted display)
  bool dry_run = false;
  std::int64_t matched = 0;
  std::int64_t changed = 0;
  std::vector<std::string> ids;  // sample of matched ids, at most mutation_sample_size
  std::vector<Problem> problems; // corrupted or missing jobs, skipped and reported
  std::vector<IdResult> results; // per-id outcomes (job verbs); empty for bulk verbs
  // What a verb shows of the matched items beyond ids (the sessions of db terminate, the rows of
  // job unstick --sql): extra JSON fields, never replacing the fixed ones, and their text form,
  // printed before the summary and in the confirmation prompt. Empty when none.
  nlohmann::json details = nlohmann::json::object();
  std::string details_text;

  void add_sample(const std::string& id) {
    if (ids.size() < mutation_sample_size) ids.push_back(id);
  }
};

nlohmann::json to_json(const MutationResult& r);

// A bulk mutation cut off by a failure (a dropped connection, a frozen server past --timeout): the
// cause (same exit code and kind) and what the batches that returned had done. The one call in
// flight when it failed may have been applied too: each call re-checks every job's state, so
// running the same command again continues where it stopped and changes nothing twice.
class Interrupted : public Error {
 public:
  Interrupted(const Error& cause, MutationResult partial)
      : Error(cause.code(), cause.kind(), cause.what()), partial_(std::move(partial)) {}
  const MutationResult& partial() const { return partial_; }

 private:
  MutationResult partial_;
};

// Runs body(); a failure inside leaves as Interrupted carrying result as it stood.
template <class Body>
void interruptible(MutationResult& result, Body&& body) {
  try {
    body();
  } catch (const Interrupted&) {
    throw;
  } catch (const Error& e) {
    if (e.code() == ExitCode::not_done) throw;  // refused before anything changed
    throw Interrupted(e, result);
  }
}

}  // namespace opsctl::queue
