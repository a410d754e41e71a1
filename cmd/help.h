#pragma once
// The help text of every command: CLI11's own layout, plus a "Global options:" section under each
// noun and verb listing the flags of the root (they fall through to every command), as gh and
// kubectl show inherited flags. The command's own flags stay under "Options:", never repeated.
#include <memory>

#include <CLI/CLI.hpp>

namespace opsctl::cmd {

// Install on the root before adding subcommands: CLI11 copies a parent's formatter into each
// subcommand when it is created.
std::shared_ptr<CLI::Formatter> help_formatter();

}  // namespace opsctl::cmd
