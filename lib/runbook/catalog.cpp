#include "runbook/catalog.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "config/config.h"
#include "core/error.h"
#include "runbook/builtin_runbooks.h"
#include "util/text.h"

namespace opsctl::runbook {
namespace fs = std::filesystem;

namespace {

bool is_runbook_file(const fs::path& p) { return p.extension() == ".yaml" || p.extension() == ".yml"; }

bool looks_like_path(const std::string& s) {
  return s.find('/') != std::string::npos || is_runbook_file(fs::path(s));
}

}  // namespace

std::vector<RunbookFile> builtin_runbooks() {
  std::vector<RunbookFile> out;
  for (const auto& f : embedded::files) {
    out.push_back({std::string(f.name), "built-in", fmt::format("built-in:{}.yaml", f.name), std::string(f.text)});
  }
  return out;
}

fs::path user_runbook_dir(const util::EnvLookup& env) {
  return config::default_config_path(env).parent_path() / "runbooks";
}

RunbookFile read_runbook_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(fmt::format("{}: cannot read: {}", path.string(), std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw config_error(fmt::format("{}: cannot read", path.string()));
  return {path.stem().string(), path.parent_path().string(), path.string(), text.str()};
}

std::vector<RunbookFile> list_runbooks(const std::vector<RunbookDir>& dirs) {
  std::vector<RunbookFile> out;
  for (const auto& d : dirs) {
    std::error_code ec;
    if (!fs::is_directory(d.path, ec)) {
      if (d.required) throw config_error(fmt::format("{}: not a readable directory of runbooks", d.path.string()));
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(d.path, ec)) {
      if (entry.is_regular_file(ec) && is_runbook_file(entry.path())) files.push_back(entry.path());
    }
    if (ec && d.required) throw config_error(fmt::format("{}: cannot list: {}", d.path.string(), ec.message()));
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out.push_back(read_runbook_file(f));
  }
  for (auto& b : builtin_runbooks()) out.push_back(std::move(b));
  // Precedence is the order above; a later file of a known name is shadowed.
  std::vector<std::string> seen;
  for (auto& f : out) {
    f.shadowed = std::find(seen.begin(), seen.end(), f.name) != seen.end();
    seen.push_back(f.name);
  }
  std::stable_sort(out.begin(), out.end(), [](const RunbookFile& a, const RunbookFile& b) { return a.name < b.name; });
  return out;
}

RunbookFile find_runbook(const std::string& name_or_path, const std::vector<RunbookDir>& dirs) {
  if (looks_like_path(name_or_path)) return read_runbook_file(name_or_path);
  std::vector<std::string> names;
  for (auto& f : list_runbooks(dirs)) {
    if (f.name == name_or_path && !f.shadowed) return f;
    names.push_back(f.name);
  }
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string best = util::closest_match(name_or_path, names);
  throw usage_error(fmt::format("no runbook named '{}'{}; runbooks: {} (opsctl runbook list)", name_or_path,
                                best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best), fmt::join(names, ", ")));
}

}  // namespace opsctl::runbook
