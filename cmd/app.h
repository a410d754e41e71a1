#pragma once
#include <CLI/CLI.hpp>

#include "cmd/io.h"
#include "cmd/registry.h"

namespace opsctl::cmd {

// Parses argv, runs the chosen verb and returns the process exit status. The one place where
// errors become messages on stderr and exit codes (opsctl(1), EXIT STATUS: 0/1/2/3/4/64/78).
int run(int argc, char** argv, Io& io);

// Runs one verb in its own Session over io: the handler's exit code, or its failure answered in
// every output the run asked for (stderr line, JSON document, Nagios line, Prometheus metrics).
// stdout is not flushed. A fleet run (cmd/fleet.cpp) calls it once per context.
int run_verb(const CLI::App* verb, const Handler& handler, const GlobalOptions& globals, Io& io);

// A failure answered in every output the run was asked for; returns the exit code. session may be
// null (the failure came before there was one).
int answer_failure(Io& io, const CLI::App* verb, const Session* session, const GlobalOptions& globals, const Error& e);

}  // namespace opsctl::cmd
