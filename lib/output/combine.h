#pragma once
// A fleet run's answer from the answers of its contexts (`--context a,b,c`, `--all-contexts`):
// each context ran the verb on its own and left its document (in the format asked for) and exit
// code; these functions merge them into the one document and exit code of the whole run. Pure
// functions over strings and JSON: cmd/fleet.cpp runs the contexts and prints.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace opsctl::output {

// What one context's run left behind.
struct ContextRun {
  std::string context;
  int exit_code = 0;
  std::string out;  // its stdout: one JSON document, a Nagios line or a Prometheus exposition
  std::string err;  // its stderr
};

// The worse of two exit codes in opsctl(1)'s order: 0 < 1 (warning) < 3 (unknown) < 2 (critical)
// (the order of Status verdicts), then 4 (not done) < 64 (usage) < 78 (config); any other code
// is worse than all of them.
int worse_exit_code(int a, int b);
int worst_exit_code(const std::vector<ContextRun>& runs);

// -o json: an array, one element per context in order: the context's own document plus `context`
// (its name) and `error` (the document's own, else null). A run that left no JSON document gets
// {"context", "status": "unknown", "error": {"kind": "internal", ...}} with its stderr as message.
nlohmann::json combine_json(const std::vector<ContextRun>& runs);

// The context's document as combine_json gives it (one element of the array).
nlohmann::json context_document(const ContextRun& run);

// -o nagios: one line, the worst status of the contexts' lines, the summary naming every context
// not ok with its own summary, the perfdata of each context with its labels prefixed "context/".
std::string combine_nagios(const std::vector<ContextRun>& runs);

// -o prom: one exposition, each family's HELP and TYPE once, every sample of every context with a
// `context` label (first among its labels).
std::string combine_prom(const std::vector<ContextRun>& runs);

// One context's stderr with "opsctl: " lines said as "opsctl: context NAME: ..." (others as they are).
std::string context_stderr(const ContextRun& run);

}  // namespace opsctl::output
