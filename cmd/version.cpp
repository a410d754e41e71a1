// opsctl version: the version and the libraries it was built with.
#include <fmt/format.h>

#include "cmd/registry.h"
#include "core/version.h"
#include "output/format.h"

namespace opsctl::cmd {

void register_version(CLI::App& app, Registry& reg) {
  CLI::App* cmd = app.add_subcommand("version", "print the version of opsctl and its libraries");
  reg.add(cmd, [](Session& s) {
    if (s.format() == output::Format::json) {
      s.emit(output::json_document(
          {{"version", version()}, {"build_type", build_type()}, {"libraries", library_versions()}}));
      return 0;
    }
    std::string libs;
    const nlohmann::json versions = library_versions();
    for (const auto& [name, v] : versions.items()) libs += fmt::format(" {} {}", name, v.get<std::string>());
    s.emit(fmt::format("opsctl {} ({})\n  built with{}\n", version(), build_type(), libs));
    return 0;
  });
}

}  // namespace opsctl::cmd
