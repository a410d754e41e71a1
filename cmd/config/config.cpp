// The `config` noun: contexts of the config file.
#include "cmd/registry.h"

namespace opsctl::cmd {

void register_config(CLI::App& app, Registry& reg) {
  CLI::App* config = app.add_subcommand("config", "config file and contexts: view, get-contexts, use-context");
  config->require_subcommand(1);
  add_config_view(*config, reg);
  add_config_get_contexts(*config, reg);
  add_config_use_context(*config, reg);
}

}  // namespace opsctl::cmd
