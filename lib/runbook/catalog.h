#pragma once
// Where runbooks come from: --runbook-dir, then $XDG_CONFIG_HOME/opsctl/runbooks/, then the
// built-in ones compiled from runbooks/*.yaml. A name found in an earlier place hides the later ones.
#include <filesystem>
#include <string>
#include <vector>

#include "util/env.h"

namespace opsctl::runbook {

struct RunbookFile {
  std::string name;    // the file name without .yaml/.yml
  std::string origin;  // "built-in" or the directory
  std::string source;  // the path, or "built-in:<name>.yaml": what errors name
  std::string text;
  bool shadowed = false;  // a runbook of the same name in an earlier place hides it
};

struct RunbookDir {
  std::filesystem::path path;
  bool required = false;  // --runbook-dir: missing is an error; the XDG directory may be absent
};

std::vector<RunbookFile> builtin_runbooks();

// $XDG_CONFIG_HOME/opsctl/runbooks, else $HOME/.config/opsctl/runbooks; env is the caller's environment.
std::filesystem::path user_runbook_dir(const util::EnvLookup& env);

// Every runbook of dirs (in order) and the built-ins, sorted by name then precedence.
// Throws config_error for a required directory that cannot be read.
std::vector<RunbookFile> list_runbooks(const std::vector<RunbookDir>& dirs);

// A runbook by file path (the text contains '/' or ends in .yaml/.yml) or by name. Throws
// config_error for an unreadable file, usage_error for an unknown name (with a suggestion).
RunbookFile find_runbook(const std::string& name_or_path, const std::vector<RunbookDir>& dirs);

// Throws config_error "<path>: cannot read: <reason>".
RunbookFile read_runbook_file(const std::filesystem::path& path);

}  // namespace opsctl::runbook
