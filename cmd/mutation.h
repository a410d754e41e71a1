#pragma once
// The mutation protocol (lib/mutation/protocol.h) over the session: a Prompter on the terminal
// (stdin, stderr), an AuditSink on the audit log, the consent of the session's context and flags,
// and the rendering of the result (the fixed JSON shape or a text summary).
#include <string>

#include "cmd/session.h"
#include "mutation/protocol.h"

namespace opsctl::cmd {

using MutationSpec = mutation::Spec;
using ConfirmStyle = mutation::ConfirmStyle;

// Asks on stderr and reads the answer from stdin; interactive when both are terminals.
class IoPrompter final : public mutation::Prompter {
 public:
  explicit IoPrompter(Io& io) : io_(io) {}
  bool interactive() const override { return io_.in_tty && io_.err_tty; }
  bool ask_yes_no(const std::string& text) override;
  std::string ask_typed(const std::string& text) override;

 private:
  Io& io_;
};

// The audit log of --audit-log, OPSCTL_AUDIT_LOG or the default; each record is stamped with who
// ran it (user, host, context, command line). A dry run's unwritable line warns once on stderr.
class SessionAuditSink final : public mutation::AuditSink {
 public:
  explicit SessionAuditSink(Session& s);
  void append(const audit::Record& r) override;
  void append_dry_run(const audit::Record& r) override;
  void check_writable() override;

 private:
  audit::Record stamped(audit::Record r) const;
  Session& s_;
  std::string path_;
  bool warned_ = false;
};

// What the session's context and --yes say about consent.
mutation::Consent session_consent(Session& s);

// Runs the protocol over the session and renders its result. Returns the exit code. Throws
// Error(not_done) when refused or declined.
// Mutations print text or JSON only: a usage error for -o nagios|prom. A verb starts with
// mutation_spec (a spec of that action, the format checked), so the refusal connects nowhere.
MutationSpec mutation_spec(Session& s, const std::string& action);

int run_mutation(Session& s, const MutationSpec& spec, const mutation::Plan& preview, const mutation::Apply& apply);

// The audit log path: --audit-log, OPSCTL_AUDIT_LOG, or the default.
std::string audit_path(Session& s);

}  // namespace opsctl::cmd
