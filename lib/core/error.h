#pragma once
// The one error type of the library. Every failure that should stop a command is an Error carrying
// the exit code of CONVENTIONS.md and a one-line message that already names the (redacted) target.
// cmd/app.cpp is the only place that turns it into stderr text and a process exit status.
#include <stdexcept>
#include <string>

namespace opsctl {

enum class ExitCode : int {
  ok = 0,
  warning = 1,
  critical = 2,  // a check crossed a critical threshold, a target was unreachable, an action failed
  unknown = 3,   // opsctl could not tell: unexpected data, internal error
  not_done = 4,  // confirmation declined, mutation refused (no --yes without a TTY, read_only context)
  usage = 64,
  config = 78,
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// Shorthands for the common kinds, so call sites read as what went wrong.
inline Error usage_error(const std::string& m) { return Error(ExitCode::usage, m); }
inline Error config_error(const std::string& m) { return Error(ExitCode::config, m); }
inline Error unknown_error(const std::string& m) { return Error(ExitCode::unknown, m); }
inline Error critical_error(const std::string& m) { return Error(ExitCode::critical, m); }
inline Error refused_error(const std::string& m) { return Error(ExitCode::not_done, m); }

}  // namespace opsctl
