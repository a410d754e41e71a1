#pragma once
// The one safety protocol of a mutation, over injected edges (no printing, no prompting of its own):
//   1. refuse in a read_only context (exit 4, audited "refused: read_only context");
//   2. plan: count what matches and keep a sample, changing nothing;
//   3. dry run: audit the plan best-effort ("dry-run") and stop;
//   4. nothing matched: audit "ok: nothing matched" and stop, asking nothing;
//   5. consent: --yes, else a question on a terminal, else refuse; then the typed context name on a
//      `confirm: true` context (the Gate, shared with runbook fix steps);
//   6. check the audit log is writable, apply, audit the outcome ("ok", "failed: ...", "interrupted: ...").
// Rendering the Result is the caller's.
#include <functional>
#include <string>

#include "audit/audit.h"
#include "mutation/gate.h"
#include "mutation/result.h"

namespace opsctl::mutation {

// Where audit lines go. The sink adds who ran the mutation (user, host, context, command line).
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // A real run's line (refusals too): throws Error(not_done) naming the log when it cannot be written.
  virtual void append(const audit::Record& r) = 0;
  // A dry run's line: best effort, since a dry run changes nothing; the first failure warns once.
  virtual void append_dry_run(const audit::Record& r) = 0;
  // Throws Error(not_done) naming the log when a line could not be written now: checked before
  // a mutation starts, so none runs without its line.
  virtual void check_writable() = 0;
};

enum class ConfirmStyle {
  yes_no,      // "[y/N]"
  type_name,   // the user types confirm_name (obliterate)
};

struct Spec {
  std::string action;         // "queue.retry"
  std::string target;         // redacted display of what is changed
  std::string verb_phrase;    // "retry 30 failed jobs" is built as verb_phrase + count + noun_phrase
  std::string noun_phrase;    // "failed jobs"; also the audit line's selection
  bool dry_run = false;
  ConfirmStyle style = ConfirmStyle::yes_no;
  std::string confirm_name;   // for type_name
  bool apply_when_empty = false;  // apply even when nothing matched (obliterating an empty queue
                                  // still deletes its keys)
};

// What would change (changing nothing), and the change itself returning what changed.
using Plan = std::function<Result()>;
using Apply = std::function<Result()>;

// The sample ids, ", ..." after them when more matched: "3, 7, 9, ...".
std::string sample_text(const Result& r);

// The audit record of spec with r's counts and the given result; who ran it is the sink's.
audit::Record record(const Spec& spec, const Result& r, std::string result);

// What the confirmation shows and asks: details, count, sample, context, target, then the question.
std::string confirmation_text(const Spec& spec, const Result& plan, const std::string& context);

// Runs the protocol and returns the Result to render: the plan (dry run, nothing matched) or what
// apply returned, with dry_run set. Throws refused_error (exit 4) when refused or declined; rethrows
// apply's errors once audited. An Interrupted apply leaves as Interrupted whose message says how far
// it got and whose partial counts as matched what the plan matched when that was more.
Result run(const Spec& spec, Gate& gate, AuditSink& audit, const Plan& plan, const Apply& apply);

}  // namespace opsctl::mutation
