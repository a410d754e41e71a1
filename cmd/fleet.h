#pragma once
// A fleet run: one read verb across several contexts of the config (`--context a,b,c`,
// `--all-contexts`), each in its own Session and thread, their answers merged (output/combine.h).
#include <CLI/CLI.hpp>

#include "cmd/registry.h"

namespace opsctl::cmd {

// The verbs a fleet run supports, as "queue list, queue inspect and health" for messages.
bool fleet_verb(const std::string& command);

// Runs handler once per context in parallel, each with its own --timeout, prints the combined
// document and returns the worst exit code. A context that fails is a row of the answer, not a
// failure of the run; a bad fleet (unknown name, unsupported verb) is a usage error (64).
int run_fleet(const CLI::App* verb, const Handler& handler, const GlobalOptions& globals, bool all_contexts, Io& io);

}  // namespace opsctl::cmd
