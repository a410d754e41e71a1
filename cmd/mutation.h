#pragma once
// The safety protocol every mutating verb follows, in one place:
//   1. refuse in a read_only context (exit 4);
//   2. preview: count what matches and keep a sample, changing nothing;
//   3. --dry-run: report the preview (changed 0), audit it (best effort: an unwritable log is a
//      warning, since a dry run changes nothing), stop;
//   4. confirm: on a TTY ask (count, sample, context, redacted target); without a TTY require --yes,
//      else refuse (exit 4);
//   5. check the audit log is writable (if not, no mutation), mutate, append the audit line;
//   6. render the fixed JSON shape or a text summary.
#include <functional>
#include <string>

#include "audit/audit.h"
#include "cmd/session.h"
#include "queue/mutation.h"

namespace opsctl::cmd {

enum class ConfirmStyle {
  yes_no,      // "[y/N]"
  type_name,   // the user types the name given to confirm_name (obliterate)
};

struct MutationSpec {
  std::string action;         // "queue.retry"
  std::string target;         // redacted display of what is changed
  std::string verb_phrase;    // "retry 30 failed jobs" is built as verb_phrase + count + noun_phrase
  std::string noun_phrase;    // "failed jobs"
  bool dry_run = false;
  ConfirmStyle style = ConfirmStyle::yes_no;
  std::string confirm_name;   // for type_name
  bool apply_when_empty = false;  // apply even when nothing matched (obliterating an empty queue
                                  // still deletes its keys)
};

// Runs the protocol: preview() must not change anything; apply() performs the mutation and returns
// the final result. Returns the exit code. Throws Error(not_done) when refused or declined.
int run_mutation(Session& s, const MutationSpec& spec,
                 const std::function<queue::MutationResult()>& preview,
                 const std::function<queue::MutationResult()>& apply);

// The audit log path: --audit-log, OPSCTL_AUDIT_LOG, or the default.
std::string audit_path(Session& s);

// A dry run's audit line: written when it can be; when not, the dry run goes on (it changes
// nothing) after one warning on stderr per run, `warned` remembering that it was given.
void audit_dry_run(Io& io, const std::string& path, const audit::Record& rec, bool& warned);

}  // namespace opsctl::cmd
