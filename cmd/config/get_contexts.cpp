// opsctl config get-contexts: the contexts, the current one marked.
#include "cmd/registry.h"
#include "config/config.h"
#include "core/error.h"
#include "output/format.h"
#include "output/table.h"
#include "util/redact.h"

namespace opsctl::cmd {
namespace {

// The context's Redis as it would be reached: its URL, or the redis+sentinel:// URL its Sentinel
// fields make. A context whose fields conflict is listed with what it says; using it names the conflict.
std::string shown_redis(const config::Config& cfg, const config::Context& c) {
  try {
    return util::redact(config::redis_url(cfg, c).value_or(""));
  } catch (const Error&) {
    return util::redact(c.redis.value_or(""));
  }
}

int run_get_contexts(Session& s) {
  const auto& cfg = s.config();
  const config::Context* current = s.context();
  std::string current_name = current ? current->name : "";
  if (s.format() == output::Format::json) {
    nlohmann::json doc{{"current_context", current_name.empty() ? nlohmann::json() : nlohmann::json(current_name)},
                       {"contexts", nlohmann::json::array()}};
    for (const auto& c : cfg.contexts) {
      const std::string redis = shown_redis(cfg, c);
      doc["contexts"].push_back({{"name", c.name},
                                 {"current", c.name == current_name},
                                 {"redis", redis.empty() ? nlohmann::json() : nlohmann::json(redis)},
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
    t.add_row({c.name == current_name ? "*" : "", c.name, shown_redis(cfg, c), c.prefix.value_or(""),
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
