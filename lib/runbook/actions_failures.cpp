// failures.classify: failure reasons (queue.inspect's failure_reasons) sorted into permanent ones,
// which a retry cannot cure (validation, 4xx, a missing mapping, bad credentials), and transient
// ones (timeouts, 5xx, connection resets), by two regular expressions the runbook's params set.
#include <regex>

#include <fmt/format.h>

#include "runbook/actions.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

constexpr const char* kTransient =
    "timeout|timed out|ETIMEDOUT|ECONNRESET|ECONNREFUSED|EPIPE|EAI_AGAIN|socket hang up|connection reset|"
    "temporar|unavailable|too many requests|\\b429\\b|\\b5[0-9][0-9]\\b";
constexpr const char* kPermanent =
    "validation|invalid|missing mapping|no mapping|not found|unauthori[sz]ed|forbidden|bad credentials|"
    "authentication|permission denied|\\b40[0-9]\\b|\\b41[0-9]\\b|\\b42[0-8]\\b";

std::regex pattern(const Args& a, const std::string& name, const char* fallback) {
  std::string text = a.str_or(name, fallback);
  try {
    return std::regex(text, std::regex::ECMAScript | std::regex::icase);
  } catch (const std::regex_error& e) {
    throw a.error(name, fmt::format("not a regular expression: {}", e.what()));
  }
}

ActionResult classify(const Args& a, ActionContext&, DryRun) {
  const json& reasons = a.raw("reasons");
  if (!reasons.is_array()) throw a.error("reasons", "must be a list of {reason, count}");
  std::regex transient = pattern(a, "transient", kTransient), permanent = pattern(a, "permanent", kPermanent);
  std::int64_t n_transient = 0, n_permanent = 0, n_other = 0;
  json groups = json::array(), permanent_reasons = json::array(), transient_reasons = json::array();
  for (const auto& g : reasons) {
    std::string reason = g.is_object() ? g.value("reason", "") : g.is_string() ? g.get<std::string>() : "";
    std::int64_t count = g.is_object() ? g.value("count", std::int64_t{1}) : 1;
    std::string kind = std::regex_search(reason, permanent)   ? "permanent"
                       : std::regex_search(reason, transient) ? "transient"
                                                              : "unclassified";
    (kind == "permanent" ? n_permanent : kind == "transient" ? n_transient : n_other) += count;
    groups.push_back({{"reason", reason}, {"count", count}, {"class", kind}});
    if (kind == "permanent") permanent_reasons.push_back(reason);
    if (kind == "transient") transient_reasons.push_back(reason);
  }
  ActionResult out;
  out.findings = {{"total", n_transient + n_permanent + n_other},
                  {"transient", n_transient},
                  {"permanent", n_permanent},
                  {"unclassified", n_other},
                  {"groups", groups},
                  {"permanent_reasons", permanent_reasons},
                  {"transient_reasons", transient_reasons},
                  {"top_permanent", permanent_reasons.empty() ? json(nullptr) : permanent_reasons[0]},
                  {"transient_pattern", a.str_or("transient", kTransient)}};
  out.summary = fmt::format("{}: {} transient, {} permanent, {} unclassified",
                            plural(n_transient + n_permanent + n_other, "failure", "failures"), n_transient,
                            n_permanent, n_other);
  return out;
}

}  // namespace

void add_failures(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"failures.classify", "sort failure reasons into transient (retry) and permanent (fix the cause first)",
           Effect::reads,
           {{"reasons", V::list, true, "[{reason, count}], e.g. queue.inspect's failure_reasons"},
            {"transient", V::string, false, "regular expression of transient reasons (timeouts, 5xx, resets)"},
            {"permanent", V::string, false, "regular expression of permanent reasons (validation, 4xx, "
                                            "missing mapping, bad credentials); tried first"}},
           {{"total", V::integer, "failures counted"},
            {"transient", V::integer, "failures with a transient reason"},
            {"permanent", V::integer, "failures with a permanent reason"},
            {"unclassified", V::integer, "failures matching neither pattern"},
            {"groups", V::list, "[{reason, count, class}]"},
            {"permanent_reasons", V::list, "the permanent reasons, most frequent first"},
            {"transient_reasons", V::list, "the transient reasons, most frequent first"},
            {"top_permanent", V::string, "the most frequent permanent reason; null when none"},
            {"transient_pattern", V::string, "the transient expression used (for queue.retry's reason)"}},
           classify});
}

}  // namespace opsctl::runbook::actions
