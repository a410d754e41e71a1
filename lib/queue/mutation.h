#pragma once
// The queue verbs' names for the one mutation result (lib/mutation/result.h): queue code made it
// first and still spells it queue::MutationResult; db and runbook code use mutation::Result.
#include "mutation/result.h"

namespace opsctl::queue {

using mutation::DryRun;
using mutation::IdResult;
using mutation::Interrupted;
using mutation::interruptible;
using mutation::to_json;
using MutationResult = mutation::Result;

// How many ids a result keeps as its sample.
// --reset-attempts of the retries: attemptsMade (and attemptsStarted) back to 0.
enum class ResetAttempts { no, yes };

inline constexpr std::size_t mutation_sample_size = mutation::sample_size;

}  // namespace opsctl::queue
