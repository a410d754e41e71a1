#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config/fleet.h"
#include "core/error.h"

using namespace opsctl::config;
using opsctl::Error;
using opsctl::ExitCode;

namespace {

Config three() {
  Config cfg;
  cfg.path = "/cfg.yaml";
  cfg.exists = true;
  for (const char* n : {"prod", "staging", "eu"}) {
    Context c;
    c.name = n;
    cfg.contexts.push_back(c);
  }
  return cfg;
}

// The usage error resolve_fleet throws, as its message (fails the test when it does not throw).
std::string usage_message(const Config& cfg, const std::string& flag, bool all) {
  try {
    resolve_fleet(cfg, flag, all);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
    return e.what();
  }
  FAIL("no usage error for --context '" << flag << "'");
  return "";
}

}  // namespace

TEST_SUITE("config fleet") {
  TEST_CASE("a comma in --context or --all-contexts makes a fleet; one name does not") {
    CHECK(is_fleet("a,b", false));
    CHECK(is_fleet("", true));
    CHECK_FALSE(is_fleet("prod", false));
    CHECK_FALSE(is_fleet("", false));
  }

  TEST_CASE("--context a,b keeps the order given; --all-contexts is the file's order") {
    CHECK(resolve_fleet(three(), "eu,prod", false) == std::vector<std::string>{"eu", "prod"});
    CHECK(resolve_fleet(three(), "", true) == std::vector<std::string>{"prod", "staging", "eu"});
  }

  TEST_CASE("an unknown name is a usage error naming it and the known ones") {
    const std::string m = usage_message(three(), "prod,prd", false);
    CHECK(m.find("'prd'") != std::string::npos);
    CHECK(m.find("prod, staging, eu") != std::string::npos);
  }

  TEST_CASE("empty names, a name twice, both flags, no contexts: usage errors") {
    CHECK(usage_message(three(), "prod,", false).find("empty") != std::string::npos);
    CHECK(usage_message(three(), "prod,prod", false).find("twice") != std::string::npos);
    CHECK(usage_message(three(), "prod", true).find("--all-contexts") != std::string::npos);
    CHECK(usage_message(Config{}, "", true).find("no contexts") != std::string::npos);
  }
}
