#pragma once
// A fleet: the contexts one read verb runs across (`--context a,b,c`, `--all-contexts`), resolved
// against the config file before anything connects.
#include <string>
#include <vector>

#include "config/config.h"

namespace opsctl::config {

// True when the flags ask for several contexts: --all-contexts, or a comma in --context.
bool is_fleet(const std::string& context_flag, bool all_contexts);

// The context names to run, in order: --all-contexts gives every context of the file in file
// order; --context a,b,c gives those, each checked against the file. Throws usage_error (exit 64)
// naming the culprit for an unknown or empty name, a name given twice, both flags at once, or a
// config without contexts.
std::vector<std::string> resolve_fleet(const Config& cfg, const std::string& context_flag, bool all_contexts);

}  // namespace opsctl::config
