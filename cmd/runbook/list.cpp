// opsctl runbook list: the runbooks of --runbook-dir, $XDG_CONFIG_HOME/opsctl/runbooks and the
// built-in ones, with severity and description; a file that does not load is listed with its error.
#include <fmt/format.h>

#include "cmd/registry.h"
#include "cmd/runbook/common.h"
#include "core/error.h"
#include "output/format.h"
#include "output/table.h"
#include "runbook/parse.h"

namespace opsctl::cmd {
namespace {

struct ListFlags {
  std::string runbook_dir;
};

int run_list(Session& s, const ListFlags& f) {
  if (s.format() != output::Format::text && s.format() != output::Format::json) {
    throw usage_error("runbook list supports -o text and -o json");
  }
  nlohmann::json rows = nlohmann::json::array();
  output::Table table({"NAME", "SEVERITY", "SOURCE", "DESCRIPTION"});
  for (const auto& file : runbook::list_runbooks(runbook_dirs(s, f.runbook_dir))) {
    nlohmann::json row = {{"name", file.name}, {"source", file.source}, {"origin", file.origin},
                          {"shadowed", file.shadowed}};
    std::string description, severity;
    try {
      runbook::Runbook rb = runbook::parse_runbook(file.text, file.source);
      description = rb.description;
      severity = rb.severity;
      row["description"] = rb.description;
      row["severity"] = rb.severity;
    } catch (const Error& e) {
      description = fmt::format("error: {}", e.what());
      row["error"] = e.what();
    }
    rows.push_back(row);
    std::string origin = file.origin == "built-in" ? "built-in" : file.source;
    if (file.shadowed) origin += " (hidden by an earlier one)";
    if (description.size() > 100) description = description.substr(0, 97) + "...";
    table.add_row({file.name, severity, origin, description});
  }
  if (s.format() == output::Format::json) {
    s.emit(output::json_document({{"runbooks", rows}}));
  } else {
    s.emit(table.render());
  }
  return 0;
}

}  // namespace

void add_runbook_list(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<ListFlags>();
  CLI::App* cmd = noun.add_subcommand("list", "runbooks: --runbook-dir, $XDG_CONFIG_HOME/opsctl/runbooks, built-in");
  add_runbook_dir_flag(*cmd, f->runbook_dir);
  reg.add(cmd, [f](Session& s) { return run_list(s, *f); });
}

}  // namespace opsctl::cmd
