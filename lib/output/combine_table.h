#pragma once
// The text table of a fleet run: the single-context table of the verb with a leading CONTEXT
// column, built from each context's JSON document (output/combine.h, context_document). A context
// whose run failed is one row saying its error.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace opsctl::output {

// queue list: CONTEXT QUEUE STATUS PAUSED <one column per state> LAYOUT FINDING. states: the
// count columns in order (BullMQ's getJobCounts names).
std::string fleet_list_text(const std::vector<nlohmann::json>& docs, const std::vector<std::string>& states, bool color);

// queue inspect: one row per context, CONTEXT QUEUE STATUS PAUSED <states> WORKERS SUMMARY.
std::string fleet_inspect_text(const std::vector<nlohmann::json>& docs, const std::vector<std::string>& states, bool color);

// health: "Health: <WORST>  N checks in M contexts", then CONTEXT NAME KIND STATUS LATENCY MESSAGE.
std::string fleet_health_text(const std::vector<nlohmann::json>& docs, bool color);

}  // namespace opsctl::output
