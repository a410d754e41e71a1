#pragma once
// What a command may touch of the outside world, injected so tests can run commands in-process:
// streams, whether they are terminals, and the environment.
#include <functional>
#include <iostream>
#include <optional>
#include <string>

#include "util/env.h"

namespace opsctl::cmd {

struct Io {
  std::ostream& out;
  std::ostream& err;
  std::istream& in;
  bool out_tty = false;
  bool err_tty = false;
  bool in_tty = false;
  // Environment lookup; nullopt when unset. Commands never call getenv directly, and lib/ gets the
  // environment only through this function (util::EnvLookup).
  util::EnvLookup env;
  // Milliseconds since the epoch.
  std::function<long long()> now_ms;
};

// The real process: std streams, isatty, getenv, the system clock.
Io process_io();

}  // namespace opsctl::cmd
