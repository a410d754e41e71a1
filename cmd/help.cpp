#include "cmd/help.h"

#include <string>
#include <vector>

namespace opsctl::cmd {
namespace {

class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_footer(const CLI::App* app) const override {
    std::string globals = global_options(app);
    std::string footer = CLI::Formatter::make_footer(app);
    if (globals.empty()) return footer;
    return footer.empty() ? globals : globals + "\n" + footer;
  }

 private:
  // The root's flags, less its --help and any name the command defines itself (health's own
  // repeatable --redis and --pg are its options, not the global ones).
  std::string global_options(const CLI::App* app) const {
    if (app->get_parent() == nullptr) return "";  // the root lists them as its own options
    const CLI::App* root = app;
    while (root->get_parent() != nullptr) root = root->get_parent();
    const CLI::Option* root_help = root->get_help_ptr();
    std::vector<const CLI::Option*> opts = root->get_options([&](const CLI::Option* o) {
      if (o == root_help || o->get_group().empty()) return false;  // an empty group is a hidden option
      for (const std::string& n : o->get_lnames()) {
        if (app->get_option_no_throw("--" + n) != nullptr) return false;
      }
      return true;
    });
    if (opts.empty()) return "";
    std::string out = make_group("Global options", false, opts);
    // make_group starts with a blank line; the footer already follows one.
    if (!out.empty() && out.front() == '\n') out.erase(0, 1);
    return out;
  }
};

}  // namespace

std::shared_ptr<CLI::Formatter> help_formatter() { return std::make_shared<HelpFormatter>(); }

}  // namespace opsctl::cmd
