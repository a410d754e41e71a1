#include "mutation/result.h"

#include "queue/json_fields.h"

namespace opsctl::mutation {

nlohmann::json to_json(const Result& r) {
  nlohmann::json j{{"action", r.action}, {"target", r.target}, {"dry_run", r.dry_run},
                   {"matched", r.matched}, {"changed", r.changed}, {"ids", r.ids}};
  j["problems"] = queue::problems_json(r.problems);
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

}  // namespace opsctl::mutation
