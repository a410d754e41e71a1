#pragma once
#include "cmd/io.h"

namespace opsctl::cmd {

// Parses argv, runs the chosen verb and returns the process exit status. The one place where
// errors become messages on stderr and exit codes (opsctl(1), EXIT STATUS: 0/1/2/3/4/64/78).
int run(int argc, char** argv, Io& io);

}  // namespace opsctl::cmd
