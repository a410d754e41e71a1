// opsctl runbook lint [NAME|FILE...]: YAML, structure, actions, arguments, references and condition
// types, reported as "<file>:<line>: error: ..." on stderr; exit 78 when any file has an error.
// Without arguments it lints every runbook opsctl can find (a CI check for a runbook repository).
#include <fmt/format.h>

#include "cmd/registry.h"
#include "cmd/runbook/common.h"
#include "core/error.h"
#include "output/format.h"
#include "runbook/lint.h"
#include "runbook/parse.h"

namespace opsctl::cmd {
namespace {

struct LintFlags {
  std::vector<std::string> targets;
  std::string runbook_dir;
};

struct FileResult {
  nlohmann::json json;
  bool ok = true;
};

FileResult lint_one(Session& s, const runbook::RunbookFile& file) {
  FileResult out;
  out.json = {{"source", file.source}, {"name", file.name}};
  nlohmann::json diagnostics = nlohmann::json::array();
  try {
    runbook::Runbook rb = runbook::parse_runbook(file.text, file.source);
    auto ds = runbook::lint(rb, runbook::builtin_actions());
    int counts[3] = {0, 0, 0};
    for (const auto& st : rb.steps) ++counts[static_cast<int>(st.kind)];
    std::size_t errors = 0, warnings = 0;
    for (const auto& d : ds) {
      (d.level == runbook::Level::error ? errors : warnings) += 1;
      diagnostics.push_back({{"line", d.line}, {"level", d.level == runbook::Level::error ? "error" : "warning"},
                             {"message", d.message}});
      if (s.format() == output::Format::text) s.io().err << runbook::format_diagnostic(rb, d) << "\n";
    }
    out.ok = errors == 0;
    out.json["runbook"] = rb.name;
    out.json["params"] = rb.params.size();
    out.json["steps"] = {{"diagnose", counts[0]}, {"fix", counts[1]}, {"verify", counts[2]}};
    out.json["summary"] = fmt::format("{}: {}: {} parameters, {} steps ({} diagnose, {} fix, {} verify){}{}", file.source,
                                      out.ok ? "ok" : "errors", rb.params.size(), rb.steps.size(), counts[0],
                                      counts[1], counts[2], errors ? fmt::format(", {} error{}", errors, errors == 1 ? "" : "s") : "",
                                      warnings ? fmt::format(", {} warning{}", warnings, warnings == 1 ? "" : "s") : "");
  } catch (const Error& e) {
    if (e.code() != ExitCode::config) throw;
    out.ok = false;
    diagnostics.push_back({{"level", "error"}, {"message", e.what()}});
    if (s.format() == output::Format::text) s.io().err << e.what() << "\n";
    out.json["summary"] = fmt::format("{}: errors", file.source);
  }
  out.json["ok"] = out.ok;
  out.json["diagnostics"] = diagnostics;
  return out;
}

int run_lint(Session& s, const LintFlags& f) {
  if (s.format() != output::Format::text && s.format() != output::Format::json) {
    throw usage_error("runbook lint supports -o text and -o json");
  }
  auto dirs = runbook_dirs(s, f.runbook_dir);
  std::vector<runbook::RunbookFile> files;
  if (f.targets.empty()) {
    for (auto& file : runbook::list_runbooks(dirs)) {
      if (!file.shadowed) files.push_back(std::move(file));
    }
  } else {
    for (const auto& t : f.targets) files.push_back(runbook::find_runbook(t, dirs));
  }
  bool ok = true;
  nlohmann::json results = nlohmann::json::array();
  std::string text;
  for (const auto& file : files) {
    FileResult r = lint_one(s, file);
    ok = ok && r.ok;
    text += r.json["summary"].get<std::string>() + "\n";
    results.push_back(r.json);
  }
  if (s.format() == output::Format::json) {
    s.emit(output::json_document({{"ok", ok}, {"files", results}}));
  } else {
    s.emit(text);
  }
  return static_cast<int>(ok ? ExitCode::ok : ExitCode::config);
}

}  // namespace

void add_runbook_lint(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<LintFlags>();
  CLI::App* cmd = noun.add_subcommand("lint", "check runbook files: YAML, actions, parameters, findings, conditions");
  cmd->add_option("runbook", f->targets, "runbook files or names (default: every runbook found)");
  add_runbook_dir_flag(*cmd, f->runbook_dir);
  reg.add(cmd, [f](Session& s) { return run_lint(s, *f); });
}

}  // namespace opsctl::cmd
