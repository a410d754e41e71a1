#include "cmd/runbook/common.h"

#include <thread>

#include <fmt/format.h>

#include "core/error.h"
#include "runbook/lint.h"
#include "runbook/parse.h"

namespace opsctl::cmd {

void add_runbook_dir_flag(CLI::App& verb, std::string& dir) {
  verb.add_option("--runbook-dir", dir, "look for runbooks here first (then $XDG_CONFIG_HOME/opsctl/runbooks, "
                                        "then the built-in ones)");
}

std::vector<runbook::RunbookDir> runbook_dirs(Session& s, const std::string& flag_dir) {
  std::vector<runbook::RunbookDir> dirs;
  if (!flag_dir.empty()) dirs.push_back({flag_dir, true});
  dirs.push_back({runbook::user_runbook_dir(s.io().env), false});
  return dirs;
}

runbook::Runbook load_runbook(const std::string& name_or_path, const std::vector<runbook::RunbookDir>& dirs) {
  runbook::RunbookFile file = runbook::find_runbook(name_or_path, dirs);
  runbook::Runbook rb = runbook::parse_runbook(file.text, file.source);
  auto diagnostics = runbook::lint(rb, runbook::builtin_actions());
  if (runbook::has_errors(diagnostics)) {
    std::vector<std::string> lines;
    for (const auto& d : diagnostics) {
      if (d.level == runbook::Level::error) lines.push_back(runbook::format_diagnostic(rb, d));
    }
    throw config_error(fmt::format("{}\nopsctl: runbook {} has {} error{} (opsctl runbook lint {})",
                                   fmt::join(lines, "\nopsctl: "), rb.name, lines.size(), lines.size() == 1 ? "" : "s",
                                   file.source.rfind("built-in:", 0) == 0 ? rb.name : file.source));
  }
  return rb;
}

redis::Target SessionActions::redis_target(const std::string& url) {
  return url.empty() ? s_.redis_target() : s_.redis_target_for(url, false);
}

pg::ConnectOptions SessionActions::pg_options(const std::string& conninfo) {
  if (conninfo.empty()) return s_.pg_options();
  pg::ConnectOptions o;
  o.conninfo = conninfo;
  o.source = "a runbook parameter";
  o.timeout = s_.timeout();
  pg::validate_conninfo(o.conninfo, o.source);
  return o;
}

std::optional<std::string> SessionActions::env(const std::string& name) {
  return s_.io().env ? s_.io().env(name) : std::nullopt;
}

void SessionActions::sleep_for(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

}  // namespace opsctl::cmd
