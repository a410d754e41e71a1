// opsctl runbook show NAME|FILE: description, parameters and steps of one runbook.
#include <fmt/format.h>

#include "cmd/registry.h"
#include "cmd/runbook/common.h"
#include "core/error.h"
#include "output/format.h"
#include "output/table.h"
#include "runbook/parse.h"

namespace opsctl::cmd {
namespace {

struct ShowFlags {
  std::string target;
  std::string runbook_dir;
};

nlohmann::json call_json(const runbook::ActionCall& c) { return {{"action", c.action}, {"with", c.with}}; }

nlohmann::json show_json(const runbook::Runbook& rb) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : rb.params) {
    params.push_back({{"name", p.name},
                      {"type", std::string(to_string(p.type))},
                      {"required", p.required},
                      {"default", p.default_text ? nlohmann::json(*p.default_text) : nlohmann::json(nullptr)},
                      {"choices", p.choices},
                      {"help", p.help}});
  }
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : rb.steps) {
    nlohmann::json j = call_json(s.call);
    j["id"] = s.id;
    j["title"] = s.title;
    j["kind"] = std::string(to_string(s.kind));
    j["on_failure"] = std::string(to_string(s.on_failure));
    j["when"] = s.when ? nlohmann::json(s.when->expr.text()) : nlohmann::json(nullptr);
    if (s.until) j["until"] = s.until->expr.text();
    if (s.timeout) j["timeout"] = *s.timeout;
    if (s.rollback) j["rollback"] = call_json(*s.rollback);
    steps.push_back(j);
  }
  return {{"name", rb.name},     {"description", rb.description}, {"severity", rb.severity},
          {"source", rb.source}, {"params", params},              {"steps", steps},
          {"comms", rb.comms}};
}

std::string show_text(const runbook::Runbook& rb) {
  std::string out = fmt::format("{}{} ({})\n{}\n", rb.name, rb.severity.empty() ? "" : " " + rb.severity, rb.source,
                                rb.description);
  output::Table params({"PARAM", "TYPE", "REQUIRED", "DEFAULT", "HELP"});
  for (const auto& p : rb.params) {
    std::string help = p.help;
    if (!p.choices.empty()) help += fmt::format(" (one of {})", fmt::join(p.choices, ", "));
    params.add_row({p.name, std::string(to_string(p.type)), p.required ? "yes" : "no", p.default_text.value_or(""), help});
  }
  if (!params.empty()) out += "\n" + params.render();
  output::Table steps({"STEP", "KIND", "ACTION", "WHEN", "ON FAILURE"});
  for (const auto& s : rb.steps) {
    std::string when = s.when ? s.when->expr.text() : "always";
    if (s.until) when += fmt::format("; until {}", s.until->expr.text());
    std::string action = s.call.action + (s.rollback ? fmt::format(" (rollback: {})", s.rollback->action) : "");
    steps.add_row({s.id, std::string(to_string(s.kind)), action, when, std::string(to_string(s.on_failure))});
  }
  out += "\n" + steps.render();
  return out;
}

int run_show(Session& s, const ShowFlags& f) {
  if (s.format() != output::Format::text && s.format() != output::Format::json) {
    throw usage_error("runbook show supports -o text and -o json");
  }
  runbook::RunbookFile file = runbook::find_runbook(f.target, runbook_dirs(s, f.runbook_dir));
  runbook::Runbook rb = runbook::parse_runbook(file.text, file.source);
  s.emit(s.format() == output::Format::json ? output::json_document(show_json(rb)) : show_text(rb));
  return 0;
}

}  // namespace

void add_runbook_show(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<ShowFlags>();
  CLI::App* cmd = noun.add_subcommand("show", "parameters and steps of a runbook");
  cmd->add_option("runbook", f->target, "runbook name or a YAML file")->required();
  add_runbook_dir_flag(*cmd, f->runbook_dir);
  reg.add(cmd, [f](Session& s) { return run_show(s, *f); });
}

}  // namespace opsctl::cmd
