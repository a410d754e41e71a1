// Run tests of the verbs that need no server (config get-contexts, view, use-context; version;
// runbook list), in-process with a fake Io: exact stdout, stderr and exit code.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cmd_run.h"
#include "temp_dir.h"

using opsctl_test::Run;
using opsctl_test::run_opsctl;
using opsctl_test::TempDir;

namespace {

// Two contexts: prod (a password in its URL, a prefix, confirm) is current; cron is read_only.
const char* const k_config =
    "current-context: prod\n"
    "contexts:\n"
    "  - name: prod\n"
    "    redis: redis://:S3cret@redis.prod:6379/0\n"
    "    prefix: app\n"
    "    confirm: true\n"
    "  - name: cron\n"
    "    redis: redis://127.0.0.1:6379\n"
    "    read_only: true\n";

struct ConfigFile {
  TempDir dir;
  std::string path = (dir / "config.yaml").string();
  ConfigFile() {
    std::ofstream(path) << k_config;
    // It holds a password: private, as such a file should be (else a chmod 600 warning on stderr).
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  std::map<std::string, std::string> env() const { return {{"OPSCTL_CONFIG", path}}; }
  std::string text() const {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

}  // namespace

TEST_SUITE("cmd: config verbs") {
  TEST_CASE("config get-contexts: the table, current marked, the password masked") {
    ConfigFile cfg;
    Run r = run_opsctl({"config", "get-contexts"}, cfg.env());
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(r.out ==
          "CURRENT  NAME  REDIS                           PREFIX  READ-ONLY\n"
          "*        prod  redis://:***@redis.prod:6379/0  app     no\n"
          "         cron  redis://127.0.0.1:6379                  yes\n");
  }

  TEST_CASE("config get-contexts -o json: every field, null where unset") {
    ConfigFile cfg;
    Run r = run_opsctl({"config", "get-contexts", "-o", "json"}, cfg.env());
    CHECK(r.code == 0);
    CHECK(nlohmann::json::parse(r.out) ==
          nlohmann::json{{"current_context", "prod"},
                         {"contexts",
                          {{{"current", true},
                            {"name", "prod"},
                            {"pg", nullptr},
                            {"prefix", "app"},
                            {"read_only", false},
                            {"redis", "redis://:***@redis.prod:6379/0"}},
                           {{"current", false},
                            {"name", "cron"},
                            {"pg", nullptr},
                            {"prefix", nullptr},
                            {"read_only", true},
                            {"redis", "redis://127.0.0.1:6379"}}}}});
  }

  TEST_CASE("config get-contexts -o nagios: not a check; UNKNOWN, exit 3") {
    ConfigFile cfg;
    Run r = run_opsctl({"config", "get-contexts", "-o", "nagios"}, cfg.env());
    CHECK(r.code == 3);
    CHECK(r.out == "OPSCTL CONFIG UNKNOWN - usage error: config get-contexts supports -o text and -o json\n");
    CHECK(r.err == "opsctl: config get-contexts supports -o text and -o json\n");
  }

  TEST_CASE("config view: the file as opsctl read it, defaults filled in, the password masked") {
    ConfigFile cfg;
    Run r = run_opsctl({"config", "view"}, cfg.env());
    CHECK(r.code == 0);
    CHECK(r.out == "# " + cfg.path +
                       "\n"
                       "current-context: prod\n"
                       "contexts:\n"
                       "  - name: prod\n"
                       "    confirm: true\n"
                       "    prefix: app\n"
                       "    read_only: false\n"
                       "    redis: redis://:***@redis.prod:6379/0\n"
                       "  - name: cron\n"
                       "    confirm: false\n"
                       "    read_only: true\n"
                       "    redis: redis://127.0.0.1:6379\n");
    CHECK(r.out.find("S3cret") == std::string::npos);
  }

  TEST_CASE("config view -o json: path, exists, and the empty lists and maps of each context") {
    ConfigFile cfg;
    Run r = run_opsctl({"config", "view", "-o", "json"}, cfg.env());
    CHECK(r.code == 0);
    auto context = [](const char* name, bool confirm, nlohmann::json prefix, bool read_only, const char* redis) {
      return nlohmann::json{{"confirm", confirm},
                            {"http", nlohmann::json::array()},
                            {"name", name},
                            {"pg", nullptr},
                            {"pg_checks", nlohmann::json::array()},
                            {"prefix", prefix},
                            {"read_only", read_only},
                            {"redis", redis},
                            {"redis_checks", nlohmann::json::array()},
                            {"redis_password_file", nullptr},
                            {"sentinel_password_file", nullptr},
                            {"tls", nullptr},
                            {"thresholds", nlohmann::json::object()}};
    };
    CHECK(nlohmann::json::parse(r.out) ==
          nlohmann::json{{"contexts",
                          {context("prod", true, "app", false, "redis://:***@redis.prod:6379/0"),
                           context("cron", false, nullptr, true, "redis://127.0.0.1:6379")}},
                         {"current_context", "prod"},
                         {"exists", true},
                         {"path", cfg.path},
                         {"thresholds", nlohmann::json::object()}});
  }

  TEST_CASE("config view of a missing file named with --config: kind config, exit 78, one line on stderr") {
    TempDir dir;
    const std::string missing = (dir / "nope.yaml").string();
    Run r = run_opsctl({"config", "view", "-o", "json", "--config", missing});
    CHECK(r.code == 78);
    const std::string message = missing + ": cannot read config file: no such file";
    CHECK(nlohmann::json::parse(r.out) == nlohmann::json{{"command", "config view"},
                                                         {"error", {{"kind", "config"}, {"message", message}}},
                                                         {"status", "unknown"}});
    CHECK(r.err == "opsctl: " + message + "\n");
  }

  TEST_CASE("config use-context: rewrites current-context only; says so on a terminal, silent without one") {
    ConfigFile cfg;
    Run quiet = run_opsctl({"config", "use-context", "cron"}, cfg.env());
    CHECK(quiet.code == 0);
    CHECK(quiet.out.empty());
    CHECK(quiet.err.empty());
    std::string expected = k_config;
    expected.replace(0, std::string("current-context: prod").size(), "current-context: cron");
    CHECK(cfg.text() == expected);

    Run tty = run_opsctl({"config", "use-context", "prod"}, cfg.env(), false, true);
    CHECK(tty.code == 0);
    CHECK(tty.out.empty());
    CHECK(tty.err == "Switched to context \"prod\".\n");
    CHECK(cfg.text() == k_config);
  }

  TEST_CASE("config use-context of an unknown name: exit 78 naming the file and the contexts; file unchanged") {
    ConfigFile cfg;
    Run r = run_opsctl({"config", "use-context", "nosuch"}, cfg.env());
    CHECK(r.code == 78);
    CHECK(r.out.empty());
    CHECK(r.err == "opsctl: " + cfg.path + ": no context \"nosuch\" (contexts: prod, cron)\n");
    CHECK(cfg.text() == k_config);
  }
}

TEST_SUITE("cmd: version and runbook list") {
  TEST_CASE("version -o json: version, build type and the library versions, nothing else") {
    Run r = run_opsctl({"version", "-o", "json"});
    CHECK(r.code == 0);
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc.size() == 3);
    CHECK(doc["version"].get<std::string>().rfind("0.", 0) == 0);
    CHECK(doc["build_type"].is_string());
    for (const char* lib : {"fmt", "hiredis", "libcurl", "libpq", "nlohmann_json"}) {
      CAPTURE(lib);
      CHECK(doc["libraries"][lib].is_string());
    }
    CHECK(doc["libraries"].size() == 5);
    // The text form says the same: "opsctl <version> (<build type>)" first.
    Run t = run_opsctl({"version"});
    CHECK(t.out.rfind("opsctl " + doc["version"].get<std::string>() + " (" + doc["build_type"].get<std::string>() +
                          ")\n  built with fmt ",
                      0) == 0);
  }

  TEST_CASE("runbook list: the header and the four built-in runbooks, in order") {
    Run r = run_opsctl({"runbook", "list"});
    CHECK(r.code == 0);
    std::istringstream lines(r.out);
    std::string line;
    std::vector<std::string> rows;
    while (std::getline(lines, line)) rows.push_back(line);
    REQUIRE(rows.size() == 9);
    CHECK(rows[0] == "NAME             SEVERITY  SOURCE    DESCRIPTION");
    CHECK(rows[1].rfind("backlog          P2        built-in  A BullMQ queue is backed up; ", 0) == 0);
    CHECK(rows[2].rfind("failed-jobs      P2        built-in  Jobs of a BullMQ queue fail; ", 0) == 0);
    CHECK(rows[3].rfind("job-table        P2        built-in  Rows of an application's SQL job table run longer ", 0) == 0);
    CHECK(rows[4].rfind("pool-exhaustion  P1        built-in  PostgreSQL refuses connections (too many clients); ", 0) == 0);
    CHECK(rows[5].rfind("rollback         P1        built-in  The live blue-green colour is unhealthy; ", 0) == 0);
    CHECK(rows[6].rfind("scheduler        P2        built-in  A BullMQ Job Scheduler is overdue ", 0) == 0);
    CHECK(rows[7].rfind("stale-cache      P3        built-in  A cached Redis key is stale ", 0) == 0);
    CHECK(rows[8].rfind("stuck-job        P2        built-in  Jobs stay active after ", 0) == 0);
  }
}
