// opsctl config get-contexts: the contexts, the current one marked.
#include "cmd/registry.h"
#include "core/error.h"
#include "output/format.h"
#include "output/table.h"
#include "util/redact.h"

namespace opsctl::cmd {
namespace {

int run_get_contexts(Session& s) {
  const auto& cfg = s.config();
  const config::Context* current = s.context();
  std::string current_name = current ? current->name : "";
  if (s.format() == output::Format::json) {
    nlohmann::json doc{{"current_context", current_name.empty() ? nlohmann::json() : nlohmann::json(current_name)},
                       {"contexts", nlohmann::json::array()}};
    for (const auto& c : cfg.contexts) {
      doc["contexts"].push_back({{"name", c.name},
                                 {"current", c.name == current_name},
                                 {"redis", c.redis ? nlohmann::json(util::redact(*c.redis)) : nlohmann::json()},
                                 {"pg", c.pg ? nlohmann::json(util::redact(*c.pg)) : nlohmann::json()},
                                 {"prefix", c.prefix ? nlohmann::json(*c.prefix) : nlohmann::json()},
                                 {"read_only", c.read_only}});
    }
    s.emit(output::json_document(doc));
    return 0;
  }
  if (s.format() != output::Format::text) throw usage_error("config get-contexts supports -o text and -o json");
  output::Table t({"CURRENT", "NAME", "REDIS", "PREFIX", "READ-ONLY"});
  for (const auto& c : cfg.contexts) {
    t.add_row({c.name == current_name ? "*" : "", c.name, util::redact(c.redis.value_or("")), c.prefix.value_or(""),
               c.read_only ? "yes" : "no"});
  }
  s.emit(t.empty() ? "No contexts in " + cfg.path.string() + "\n" : t.render());
  return 0;
}

}  // namespace

void add_config_get_contexts(CLI::App& noun, Registry& reg) {
  CLI::App* cmd = noun.add_subcommand("get-contexts", "list the contexts of the config file");
  reg.add(cmd, [](Session& s) { return run_get_contexts(s); });
}

}  // namespace opsctl::cmd
