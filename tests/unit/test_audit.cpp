#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "cmd/io.h"
#include "core/error.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using namespace opsctl::audit;

namespace {

using opsctl_test::TempDir;

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

Record sample() {
  Record r;
  r.who = identify([](const std::string&) { return std::optional<std::string>(); });
  r.context = "prod";
  r.command_line = "opsctl queue retry emails --redis redis://ops:Sup3rSecret@cache:6379/0 --yes";
  r.target = "redis://ops:Sup3rSecret@cache:6379/0 bull:emails";
  r.action = "queue.retry";
  r.matched = 12;
  r.changed = 10;
  r.dry_run = false;
  r.result = "ok";
  return r;
}

}  // namespace

TEST_SUITE("audit") {
  TEST_CASE("to_json carries every field, with the time in ISO 8601 UTC") {
    const nlohmann::json j = to_json(sample(), 1234567890123);
    CHECK(j["time"] == "2009-02-13T23:31:30.123Z");
    CHECK(to_json(sample(), 0)["time"] == "1970-01-01T00:00:00.000Z");
    CHECK(to_json(sample(), 1764087608005)["time"] == "2025-11-25T16:20:08.005Z");
    CHECK(j["user"].is_string());
    CHECK_FALSE(j["user"].get<std::string>().empty());
    CHECK(j["host"].is_string());
    CHECK_FALSE(j["host"].get<std::string>().empty());
    CHECK(j["context"] == "prod");
    CHECK(j["action"] == "queue.retry");
    CHECK(j["matched"] == 12);
    CHECK(j["changed"] == 10);
    CHECK(j["dry_run"] == false);
    CHECK(j["result"] == "ok");
  }

  TEST_CASE("the selection names what the action chose, empty when none") {
    Record r = sample();
    CHECK(to_json(r, 0)["selection"] == "");
    r.selection = "failed jobs finished within 15m";
    CHECK(to_json(r, 0)["selection"] == "failed jobs finished within 15m");
  }

  TEST_CASE("secrets in the command line, the target and the result are redacted") {
    Record r = sample();
    r.result = "failed: postgres host=db password=Sup3rSecret: timeout";
    const nlohmann::json j = to_json(r, 0);
    CHECK(j.dump().find("Sup3rSecret") == std::string::npos);
    CHECK(j["command_line"] == "opsctl queue retry emails --redis redis://ops:***@cache:6379/0 --yes");
    CHECK(j["target"] == "redis://ops:***@cache:6379/0 bull:emails");
  }

  TEST_CASE("append creates the directories and a 0600 file, one JSON line per call") {
    TempDir dir;
    const fs::path p = dir / "state/opsctl/audit.jsonl";
    append(p, sample());
    Record dry = sample();
    dry.dry_run = true;
    dry.result = "planned";
    dry.command_line = "opsctl queue clear \xff\xfe";  // invalid UTF-8 must not stop the line
    append(p, dry);
    const std::vector<std::string> lines = lines_of(p);
    REQUIRE(lines.size() == 2);
    CHECK(nlohmann::json::parse(lines[0])["result"] == "ok");
    const nlohmann::json second = nlohmann::json::parse(lines[1]);
    CHECK(second["dry_run"] == true);
    CHECK(second["result"] == "planned");
    for (const std::string& l : lines) CHECK(l.find("Sup3rSecret") == std::string::npos);
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat((dir / "state/opsctl").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
  }

  TEST_CASE("append that cannot write refuses the mutation (exit 4), even for root") {
    TempDir dir;
    { std::ofstream(dir / "file") << "x"; }
    const fs::path p = dir / "file/audit.jsonl";  // its parent is a regular file
    try {
      append(p, sample());
      FAIL("append did not throw");
    } catch (const opsctl::Error& e) {
      CHECK(e.code() == opsctl::ExitCode::not_done);
      CHECK(std::string(e.what()) == "audit log " + p.string() + ": not a directory: mutation not performed");
    }
    const fs::path deeper = dir / "file/sub/audit.jsonl";  // mkdir -p fails on the way
    CHECK_THROWS_WITH_AS(append(deeper, sample()),
                         ("audit log " + deeper.string() + ": not a directory: mutation not performed").c_str(),
                         opsctl::Error);
    CHECK_THROWS_WITH_AS(append(dir / "", sample()),  // a directory is not a log file
                         ("audit log " + (dir / "").string() + ": is a directory: mutation not performed").c_str(),
                         opsctl::Error);
  }

  TEST_CASE("guard_read_only refuses only read_only contexts") {
    CHECK_NOTHROW(guard_read_only(false, "prod", "queue.retry"));
    try {
      guard_read_only(true, "prod", "queue.retry");
      FAIL("guard_read_only did not throw");
    } catch (const opsctl::Error& e) {
      CHECK(e.code() == opsctl::ExitCode::not_done);
      CHECK(std::string(e.what()) == "context prod is read_only: queue.retry refused");
    }
  }

  TEST_CASE("default_audit_path follows XDG_STATE_HOME, then HOME") {
    const auto env = opsctl::cmd::process_io().env;
    const char* old = std::getenv("XDG_STATE_HOME");
    const std::string saved = old ? old : "";
    ::setenv("XDG_STATE_HOME", "/xdg/state", 1);
    CHECK(default_audit_path(env) == fs::path("/xdg/state/opsctl/audit.jsonl"));
    ::setenv("XDG_STATE_HOME", "relative/ignored", 1);
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
      CHECK(default_audit_path(env) == fs::path(home) / ".local/state/opsctl/audit.jsonl");
    }
    if (old) ::setenv("XDG_STATE_HOME", saved.c_str(), 1);
    else ::unsetenv("XDG_STATE_HOME");
  }
}
