#pragma once
// What a command may touch of the outside world, injected so tests can run commands in-process:
// streams, whether they are terminals, and the environment.
#include <functional>
#include <iostream>
#include <optional>
#include <string>

namespace opsctl::cmd {

struct Io {
  std::ostream& out;
  std::ostream& err;
  std::istream& in;
  bool out_tty = false;
  bool err_tty = false;
  bool in_tty = false;
  // Environment lookup; nullopt when unset. Commands never call getenv directly.
  std::function<std::optional<std::string>(const std::string&)> env;
  // Milliseconds since the epoch.
  std::function<long long()> now_ms;
};

// The real process: std streams, isatty, getenv, the system clock.
Io process_io();

}  // namespace opsctl::cmd
