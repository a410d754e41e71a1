#include "queue/mutation.h"

#include "queue/inspect.h"

namespace opsctl::queue {

nlohmann::json to_json(const MutationResult& r) {
  nlohmann::json j{{"action", r.action}, {"target", r.target}, {"dry_run", r.dry_run},
                   {"matched", r.matched}, {"changed", r.changed}, {"ids", r.ids}};
  auto problems = nlohmann::json::array();
  for (const auto& p : r.problems) problems.push_back(to_json(p));
  j["problems"] = problems;
  // results: one per id for the job verbs, [] for the others (reason only where there is one).
  auto results = nlohmann::json::array();
  for (const auto& x : r.results) {
    nlohmann::json e{{"id", x.id}, {"result", x.result}};
    if (!x.reason.empty()) e["reason"] = x.reason;
    results.push_back(e);
  }
  j["results"] = results;
  for (const auto& [key, value] : r.details.items()) {
    if (!j.contains(key)) j[key] = value;  // never shadows a fixed field
  }
  return j;
}

}  // namespace opsctl::queue
