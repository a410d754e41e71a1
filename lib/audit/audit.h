#pragma once
// The audit log: one JSON line per mutation or dry run, appended before the result is reported.
// If the line cannot be written the mutation must not run: callers write the "intent" line first.
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "util/env.h"

namespace opsctl::audit {

// Who ran opsctl and on which host; the audit line and the runbook transcript name them.
struct Identity {
  std::string user;       // the effective user's name, else $USER, else uid:N
  std::string host;       // the host name, else "unknown"
  std::string sudo_user;  // $SUDO_USER: who really ran it when root through sudo; "" when not
};

// The identity of this process; env is the caller's environment (cmd::Io::env).
Identity identify(const util::EnvLookup& env);

struct Record {
  Identity who;              // identify(io.env): every record names who ran it
  std::string context;       // "" when no context
  std::string command_line;  // argv joined with spaces; redacted on write
  std::string target;        // e.g. "redis://127.0.0.1:6379/0 bull:emails"; redacted on write
  std::string action;        // e.g. "queue.retry"
  std::string selection;     // what the action chose, e.g. "failed jobs finished within 15m"
  std::int64_t matched = 0;
  std::int64_t changed = 0;
  bool dry_run = false;
  std::string result;        // "planned", "ok", "refused", "failed: <message>"
};


// $XDG_STATE_HOME/opsctl/audit.jsonl, else $HOME/.local/state/opsctl/audit.jsonl.
std::filesystem::path default_audit_path(const util::EnvLookup& env);

// The JSON object for one record: time (ISO 8601 UTC), user, host, sudo_user (only when set), context, command_line, target,
// action, selection, matched, changed, dry_run, result. Secrets redacted with util::redact.
nlohmann::json to_json(const Record& r, std::int64_t now_epoch_ms);

// Appends one line to path (creating parent directories, mode 0600 for a new file) with a single
// write(2) on an O_APPEND descriptor, then fsync. Throws Error(not_done) naming the path when the
// line cannot be written: the caller must then not perform the mutation.
void append(const std::filesystem::path& path, const Record& r);

// Appends text (whole lines, newline included) the same way: one write(2) on O_APPEND, then fsync;
// parent directories created, a new file 0600. "" when written, else the cause in words.
std::string append_line(const std::filesystem::path& path, const std::string& text);

// append without the throw, for a dry run (which changes nothing, so goes on without its line):
// "" when the line was written, else the cause in words ("not a directory").
std::string try_append(const std::filesystem::path& path, const Record& r);

// Opens (creating) the log for appending without writing, so a mutation can be refused before it
// starts when its audit line could not be written. Throws Error(not_done) naming the path.
void check_writable(const std::filesystem::path& path);

// The read_only guard: throws Error(not_done) "context <name> is read_only: <action> refused"
// when read_only is true.
void guard_read_only(bool read_only, const std::string& context, const std::string& action);

}  // namespace opsctl::audit
