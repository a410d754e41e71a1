// "Did you mean" for unknown commands and flags, found by walking argv along the command tree.
#include <fmt/format.h>

#include "cmd/registry.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

const CLI::Option* find_option(CLI::App* app, const std::string& name) {
  for (CLI::App* a = app; a != nullptr; a = a->get_parent()) {
    for (const CLI::Option* o : a->get_options()) {
      if (o->check_name(name)) return o;
    }
  }
  return nullptr;
}

std::vector<std::string> option_names(CLI::App* app) {
  std::vector<std::string> names;
  for (CLI::App* a = app; a != nullptr; a = a->get_parent()) {
    for (const CLI::Option* o : a->get_options()) {
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    }
  }
  return names;
}

std::string command_path(CLI::App* app) {
  std::string path;
  for (CLI::App* a = app; a != nullptr; a = a->get_parent()) path = a->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

}  // namespace

std::string usage_hint(CLI::App& root, const std::vector<std::string>& args) {
  CLI::App* cur = &root;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& tok = args[i];
    if (tok == "--") break;
    if (tok.size() > 1 && tok[0] == '-') {
      std::string name = tok.substr(0, tok.find('='));
      const CLI::Option* o = find_option(cur, name);
      if (o == nullptr) {
        std::string best = tok.rfind("--", 0) == 0 ? util::closest_match(name, option_names(cur)) : "";
        std::string msg = fmt::format("unknown flag {} for '{}'", name, command_path(cur));
        return best.empty() ? msg : msg + fmt::format("; did you mean '{}'?", best);
      }
      if (o->get_type_size_max() > 0 && tok.find('=') == std::string::npos) ++i;  // skip its value
      continue;
    }
    auto subs = cur->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty()) continue;  // a positional argument of a verb
    std::vector<std::string> names;
    CLI::App* next = nullptr;
    for (CLI::App* s : subs) {
      names.push_back(s->get_name());
      if (s->check_name(tok)) next = s;
    }
    if (next != nullptr) {
      cur = next;
      continue;
    }
    std::string best = util::closest_match(tok, names);
    std::string msg = fmt::format("unknown command '{}' for '{}'", tok, command_path(cur));
    return best.empty() ? msg + fmt::format(" (commands: {})", fmt::join(names, ", "))
                        : msg + fmt::format("; did you mean '{}'?", best);
  }
  return "";
}

}  // namespace opsctl::cmd
