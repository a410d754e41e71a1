#include "runbook/lint_refs.h"

#include <algorithm>

#include <fmt/format.h>

#include "runbook/template.h"
#include "util/text.h"

namespace opsctl::runbook::detail {
namespace {

std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best = util::closest_match(word, candidates);
  return best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best);
}

std::optional<std::string> type_name(ValueType t) {
  switch (t) {
    case ValueType::integer:
    case ValueType::number: return "number";
    case ValueType::string: return "string";
    case ValueType::boolean: return "bool";
    case ValueType::list: return "list";
    case ValueType::object: return "map";
    default: return std::nullopt;
  }
}

std::optional<std::string> finding_type(const RefContext& c, const Step& step, const RefPath& ref, std::size_t at) {
  const ActionSpec* spec = c.registry->find(step.call.action);
  if (spec == nullptr) return std::nullopt;  // reported at the action
  if (ref.size() <= at) {
    c.error(fmt::format("'{}' needs a finding name: {}.<name>", join_path(ref), join_path(ref)));
    return std::nullopt;
  }
  const FindingSpec* f = spec->finding(ref[at]);
  if (f == nullptr) {
    std::vector<std::string> names;
    for (const auto& fs : spec->findings) names.push_back(fs.name);
    c.error(fmt::format("'{}': action {} has no finding '{}'{}; its findings: {}", join_path(ref), spec->name, ref[at],
                        suggestion(ref[at], names), fmt::join(names, ", ")));
    return std::nullopt;
  }
  if (ref.size() > at + 1) {
    if (f->type != ValueType::any && f->type != ValueType::object && f->type != ValueType::list) {
      c.error(fmt::format("'{}': finding {} is a {}, it has no field '{}'", join_path(ref), f->name,
                          to_string(f->type), ref[at + 1]));
    }
    return std::nullopt;
  }
  return type_name(f->type);
}

std::optional<std::string> param_type(const Param& p) {
  return p.type == ParamType::integer || p.type == ParamType::duration ? "number" : "string";
}

std::optional<std::string> literal_type(const nlohmann::json& v) {
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  return std::nullopt;  // null compares with anything
}

}  // namespace

std::optional<std::string> check_ref(const RefContext& c, const RefPath& ref) {
  const std::string& head = ref[0];
  if (head == "params") {
    std::vector<std::string> names;
    for (const auto& p : c.rb->params) names.push_back(p.name);
    if (ref.size() != 2) {
      c.error(fmt::format("'{}': a parameter reference is params.<name>", join_path(ref)));
      return std::nullopt;
    }
    const Param* p = c.rb->param(ref[1]);
    if (p == nullptr) {
      c.error(fmt::format("unknown parameter '{}'{}; parameters: {}", ref[1], suggestion(ref[1], names),
                          names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
      return std::nullopt;
    }
    return param_type(*p);
  }
  if (head == "steps") {
    if (ref.size() < 3) {
      c.error(fmt::format("'{}': a step reference is steps.<id>.status, .changed, .planned, .error, .summary, "
                          ".target or .findings.<name>", join_path(ref)));
      return std::nullopt;
    }
    const Step* step = c.rb->step(ref[1]);
    bool visible = std::find(c.visible.begin(), c.visible.end(), ref[1]) != c.visible.end();
    if (step == nullptr || !visible) {
      c.error(step == nullptr ? fmt::format("unknown step '{}'{}", ref[1], suggestion(ref[1], c.visible))
                              : fmt::format("step '{}' does not run before this point: only earlier steps can be read",
                                            ref[1]));
      return std::nullopt;
    }
    const std::string& field = ref[2];
    if (field == "findings") return finding_type(c, *step, ref, 3);
    static const std::vector<std::string> fields{"status", "changed", "planned", "error", "summary", "target"};
    if (ref.size() != 3 || std::find(fields.begin(), fields.end(), field) == fields.end()) {
      c.error(fmt::format("'{}': a step has status, changed, planned, error, summary, target and findings.<name>",
                          join_path(ref)));
      return std::nullopt;
    }
    return field == "changed" || field == "planned" ? "number" : "string";
  }
  if (head == "findings") {
    if (c.self == nullptr) {
      c.error(fmt::format("'{}': bare findings.<name> is for until: and checks; elsewhere write "
                          "steps.<id>.findings.<name>", join_path(ref)));
      return std::nullopt;
    }
    return finding_type(c, *c.self, ref, 1);
  }
  if (c.run_info && (head == "runbook" || head == "run")) {
    static const std::vector<std::string> runbook_fields{"name", "severity", "description"};
    static const std::vector<std::string> run_fields{"status", "outcome", "started_at", "duration", "dry_run",
                                                     "context", "summary"};
    const auto& fields = head == "runbook" ? runbook_fields : run_fields;
    if (ref.size() != 2 || std::find(fields.begin(), fields.end(), ref[1]) == fields.end()) {
      c.error(fmt::format("'{}': {} has {}", join_path(ref), head, fmt::join(fields, ", ")));
    }
    return "string";
  }
  c.error(fmt::format("unknown reference '{}': references start with params., steps.{}{}", join_path(ref),
                      c.self ? ", findings." : "", c.run_info ? ", runbook. or run." : ""));
  return std::nullopt;
}

void check_condition(const RefContext& c, const Condition& cond) {
  RefContext at = c;
  at.line = cond.line;
  for (const auto& ref : cond.expr.references()) (void)check_ref(at, ref);
  // Types of the two sides, and the statuses a step can have. Reported once per comparison.
  std::vector<Diagnostic> quiet;
  RefContext silent = at;
  silent.out = &quiet;
  for (const auto& cmp : cond.expr.comparisons()) {
    auto side = [&](const Operand& o) -> std::optional<std::string> {
      if (o.literal) return literal_type(*o.literal);
      if (o.ref) return check_ref(silent, *o.ref);
      return std::nullopt;
    };
    auto lt = side(cmp.lhs), rt = side(cmp.rhs);
    std::string text = cond.expr.text();
    if (lt && rt && *lt != *rt) {
      at.error(fmt::format("'{}' compares a {} with a {}", text, *lt, *rt));
    } else if (lt && (cmp.op != "==" && cmp.op != "!=") && *lt != "number" && *lt != "string") {
      at.error(fmt::format("'{}': '{}' orders numbers or strings, not a {}", text, cmp.op, *lt));
    }
    for (const auto& [ref_side, lit_side] : {std::pair{&cmp.lhs, &cmp.rhs}, std::pair{&cmp.rhs, &cmp.lhs}}) {
      if (ref_side->ref && ref_side->ref->size() == 3 && (*ref_side->ref)[0] == "steps" &&
          (*ref_side->ref)[2] == "status" && lit_side->literal && lit_side->literal->is_string()) {
        const auto& all = step_statuses();
        std::string s = lit_side->literal->get<std::string>();
        if (std::find(all.begin(), all.end(), s) == all.end()) {
          at.error(fmt::format("'{}': no step ever has status \"{}\"{}; statuses: {}", text, s, suggestion(s, all),
                               fmt::join(all, ", ")));
        }
      }
    }
  }
}

void check_value_refs(const RefContext& c, const nlohmann::json& value) {
  for (const auto& ref : value_references(value)) (void)check_ref(c, ref);
}

}  // namespace opsctl::runbook::detail
