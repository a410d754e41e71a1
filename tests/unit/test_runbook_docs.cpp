// opsctl-runbook(5) documents every built-in action with all its arguments and findings: a new
// argument or finding without documentation fails here.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "runbook/action.h"

using namespace opsctl::runbook;

namespace {

// The ACTIONS section of the man page, with roff escapes for '-' undone.
std::string actions_section() {
  std::ifstream in(std::string(OPSCTL_SOURCE_DIR) + "/man/opsctl-runbook.5");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = std::regex_replace(text.str(), std::regex(R"(\\-)"), "-");
  auto from = s.find("\n.SH ACTIONS\n");
  auto to = s.find("\n.SH ", from + 1);
  REQUIRE(from != std::string::npos);
  return s.substr(from, to - from);
}

}  // namespace

TEST_SUITE("runbook.docs") {
  TEST_CASE("every action, argument and finding is in opsctl-runbook(5)") {
    const std::string section = actions_section();
    for (const auto& spec : builtin_actions().all()) {
      CAPTURE(spec.name);
      auto start = section.find("\n.TP\n.B " + spec.name + "\n");
      if (start == std::string::npos) start = section.find("\n.TP\n.B " + spec.name + " (changes)\n");
      REQUIRE_MESSAGE(start != std::string::npos, "no .TP entry for the action");
      CHECK((section.find(" (changes)", start) == start + 8 + spec.name.size()) == (spec.effect == Effect::changes));
      auto end = section.find("\n.TP\n", start + 1);
      std::string entry = section.substr(start, end == std::string::npos ? std::string::npos : end - start);
      for (const auto& a : spec.args) {
        CAPTURE(a.name);
        CHECK(std::regex_search(entry, std::regex("\n\\.BR? " + a.name + "( |\n)")));
      }
      for (const auto& f : spec.findings) {
        CAPTURE(f.name);
        CHECK(std::regex_search(entry, std::regex("Findings:[\\s\\S]*\n\\.BR? " + f.name + "( |\n)")));
      }
    }
  }
}
