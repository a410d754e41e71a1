// wait (a pause between steps) and lookup (a value from a small table: the other colour of a
// blue-green pair, the URL of a colour), so runbooks need no string operations in conditions.
#include <fmt/format.h>

#include "runbook/actions.h"
#include "runbook/template.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

ActionResult wait(const Args& a, ActionContext& ctx, DryRun) {
  if (!a.has("duration")) throw a.error("duration", "is required");
  auto d = a.duration_or("duration", {});
  if (d > std::chrono::hours(1)) throw a.error("duration", "must be at most 1h");
  ctx.sleep_for(d);
  ActionResult out;
  out.summary = fmt::format("waited {} ms", d.count());
  out.findings = {{"waited_ms", d.count()}};
  return out;
}

ActionResult lookup_action(const Args& a, ActionContext&, DryRun) {
  std::string key = a.str("key");
  const json& table = a.raw("table");
  if (!table.is_object() || table.empty()) throw a.error("table", "must be a non-empty map of key: value");
  ActionResult out;
  out.findings = {{"key", key}, {"found", table.contains(key)}};
  if (table.contains(key)) {
    out.findings["value"] = table[key];
  } else if (a.has("default")) {
    out.findings["value"] = a.raw("default");
  } else {
    std::vector<std::string> keys;
    for (const auto& [k, _] : table.items()) keys.push_back(k);
    out.findings["value"] = nullptr;
    out.failed = true;
    out.status = Status::critical;
    out.error = fmt::format("'{}' is not one of {}", key, fmt::join(keys, ", "));
  }
  out.summary = out.failed ? out.error : fmt::format("{} -> {}", key, value_text(out.findings["value"]));
  return out;
}

// The executor handles approve steps itself (it asks the person, or stops the run for --resume);
// this body only describes the step, e.g. in a dry run.
ActionResult approve_action(const Args& a, ActionContext&, DryRun) {
  ActionResult out;
  out.summary = fmt::format("approval: {}", a.str("message"));
  out.findings = {{"approved", false}, {"by", ""}};
  return out;
}

}  // namespace

void add_misc(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"wait", "pause the run", Effect::reads, {{"duration", V::duration, true, "how long, at most 1h"}},
           {{"waited_ms", V::integer, "how long it waited"}}, wait});
  reg.add({"lookup", "the value of a key in a table (fails on a key not in it, unless default is given)", Effect::reads,
           {{"key", V::string, true, "the key"},
            {"table", V::object, true, "map of key: value (values may be maps)"},
            {"default", V::any, false, "value for a key not in the table"}},
           {{"key", V::string, "the key looked up"},
            {"found", V::boolean, "the key is in the table"},
            {"value", V::any, "its value (or the default)"}},
           lookup_action});
  reg.add({"approve", "wait for a person's approval: asked on a TTY, else the run stops (exit 4) until --resume",
           Effect::reads, {{"message", V::string, true, "what is approved (a template)"}},
           {{"approved", V::boolean, "the step was approved"}, {"by", V::string, "who approved it (user@host)"}},
           approve_action});
}

}  // namespace opsctl::runbook::actions
