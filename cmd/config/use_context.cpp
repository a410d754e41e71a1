// opsctl config use-context NAME: make NAME the current context (atomic rewrite of the file).
#include <fmt/format.h>

#include "cmd/registry.h"

namespace opsctl::cmd {

void add_config_use_context(CLI::App& noun, Registry& reg) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = noun.add_subcommand("use-context", "set the current context");
  cmd->add_option("name", *name, "context name")->required();
  reg.add(cmd, [name](Session& s) {
    config::use_context(s.config_path(), *name);
    if (s.io().err_tty) s.io().err << fmt::format("Switched to context \"{}\".\n", *name);
    return 0;
  });
}

}  // namespace opsctl::cmd
