// opsctl config view: the config file as opsctl reads it, every secret redacted.
#include <fmt/format.h>

#include "cmd/registry.h"
#include "core/error.h"
#include "output/format.h"

namespace opsctl::cmd {
namespace {

int run_view(Session& s) {
  const auto& cfg = s.config();
  auto doc = config::redacted_view(cfg);
  if (s.format() == output::Format::json) {
    s.emit(output::json_document(doc));
    return 0;
  }
  if (s.format() != output::Format::text) throw usage_error("config view supports -o text and -o json");
  if (!cfg.exists) {
    s.emit(fmt::format("# {} does not exist: no contexts configured\n", cfg.path.string()));
    return 0;
  }
  std::string out = fmt::format("# {}\ncurrent-context: {}\ncontexts:\n", cfg.path.string(), cfg.current_context);
  for (const auto& c : doc["contexts"]) {
    out += fmt::format("  - name: {}\n", c["name"].get<std::string>());
    for (const auto& [k, v] : c.items()) {
      if (k == "name" || v.is_null() || (v.is_array() && v.empty()) || (v.is_object() && v.empty())) continue;
      out += fmt::format("    {}: {}\n", k, v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  s.emit(out);
  return 0;
}

}  // namespace

void add_config_view(CLI::App& noun, Registry& reg) {
  CLI::App* cmd = noun.add_subcommand("view", "show the config file with secrets redacted");
  reg.add(cmd, [](Session& s) { return run_view(s); });
}

}  // namespace opsctl::cmd
