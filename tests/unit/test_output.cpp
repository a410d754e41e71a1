#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "output/format.h"
#include "output/monitoring.h"
#include "output/table.h"

using namespace opsctl::output;
using opsctl::Status;
namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh, empty directory per test, removed at the end of the scope.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "opsctl_test_XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() { fs::remove_all(path); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename().string());
    return names;
  }
};

}  // namespace

TEST_SUITE("output format") {
  TEST_CASE("parse_format accepts the four names") {
    CHECK(parse_format("text") == Format::text);
    CHECK(parse_format("json") == Format::json);
    CHECK(parse_format("nagios") == Format::nagios);
    CHECK(parse_format("prom") == Format::prom);
  }

  TEST_CASE("parse_format rejects others with a usage error listing the valid names") {
    try {
      parse_format("jsn");
      FAIL("no error");
    } catch (const opsctl::Error& e) {
      CHECK(e.code() == opsctl::ExitCode::usage);
      CHECK(std::string(e.what()) ==
            "invalid output format \"jsn\" (did you mean \"json\"?): valid formats are text, json, nagios, prom");
    }
    CHECK_THROWS_AS(parse_format(""), opsctl::Error);
    CHECK_THROWS_AS(parse_format("JSON "), opsctl::Error);
  }

  TEST_CASE("json_document is pretty, newline-terminated and survives invalid UTF-8") {
    const nlohmann::json doc = {{"queue", "emails"}, {"paused", false}};
    CHECK(json_document(doc) == "{\n  \"paused\": false,\n  \"queue\": \"emails\"\n}\n");
    const nlohmann::json binary = {{"data", std::string("a\xff" "b")}};
    CHECK(json_document(binary) == "{\n  \"data\": \"a\xEF\xBF\xBD" "b\"\n}\n");
  }

  TEST_CASE("colour only when asked") {
    CHECK(colorize(Status::ok, "ok", false) == "ok");
    CHECK(colorize(Status::critical, "critical", false) == "critical");
    CHECK(colorize(Status::ok, "ok", true) == "\x1b[32mok\x1b[0m");
    CHECK(colorize(Status::warning, "warn", true) == "\x1b[33mwarn\x1b[0m");
    CHECK(colorize(Status::critical, "crit", true) == "\x1b[31mcrit\x1b[0m");
    CHECK(colorize(Status::unknown, "?", true) == "\x1b[35m?\x1b[0m");
    CHECK(bold("NAME", false) == "NAME");
    CHECK(bold("NAME", true) == "\x1b[1mNAME\x1b[0m");
  }
}

TEST_SUITE("output table") {
  TEST_CASE("aligns columns, upper-cases headers, right-aligns numbers") {
    Table t({"queue", "waiting", "failed"}, {Align::left, Align::right, Align::right});
    t.add_row({"emails", "12", "0"});
    t.add_row({"thumbnails", "1500", "37"});
    CHECK(t.render() ==
          "QUEUE       WAITING  FAILED\n"
          "emails           12       0\n"
          "thumbnails     1500      37\n");
  }

  TEST_CASE("width counts visible characters, not bytes or colour codes") {
    Table t({"name", "status"});
    t.add_row({"\xC3\xA9t\xC3\xA9", "\x1b[32mok\x1b[0m"});  // "été": 3 characters, 5 bytes
    t.add_row({"abcd", "\x1b[31mcritical\x1b[0m"});
    CHECK(t.render() ==
          "NAME  STATUS\n"
          "\xC3\xA9t\xC3\xA9   \x1b[32mok\x1b[0m\n"
          "abcd  \x1b[31mcritical\x1b[0m\n");
  }

  TEST_CASE("missing cells render empty, no trailing spaces") {
    Table t({"a", "b", "c"});
    t.add_row({"1"});
    t.add_row({"22", "", "3"});
    CHECK(t.render() == "A   B  C\n1\n22     3\n");
  }

  TEST_CASE("extra cells are shown, newlines in cells are flattened") {
    Table t({"a"});
    t.add_row({"x", "y\nz"});
    CHECK(t.render() == "A\nx  y z\n");
  }

  TEST_CASE("empty table renders the header only") {
    Table t({"name"});
    CHECK(t.empty());
    CHECK(t.render() == "NAME\n");
  }
}

TEST_SUITE("output monitoring") {
  TEST_CASE("nagios line, exact format") {
    const std::vector<PerfData> perf = {{"waiting", 12, "", "10", "50"}, {"failed", 0, "", "5", "20"}};
    CHECK(nagios_line("queue", Status::warning, "12 waiting", perf) ==
          "OPSCTL QUEUE WARNING - 12 waiting | waiting=12;10;50 failed=0;5;20\n");
    CHECK(nagios_line("health", Status::ok, "all checks passed", {}) == "OPSCTL HEALTH OK - all checks passed\n");
    CHECK(nagios_line("db pool", Status::critical, "", {}) == "OPSCTL DB POOL CRITICAL\n");
  }

  TEST_CASE("nagios perfdata units, fractions, missing thresholds, odd labels") {
    const std::vector<PerfData> perf = {{"latency", 0.25, "s", "", ""},
                                        {"used", 87.5, "%", "", "95"},
                                        {"queue size", 3, "", "", ""},
                                        {"a=b", 1, "c", "", ""},
                                        {"it's", 1, "", "", ""},
                                        {"big", 1e20, "B", "", ""},
                                        {"gone", std::numeric_limits<double>::quiet_NaN(), "", "", ""}};
    CHECK(nagios_line("x", Status::unknown, "s", perf) ==
          "OPSCTL X UNKNOWN - s | latency=0.25s used=87.5%;;95 'queue size'=3 'a=b'=1c 'it''s'=1 "
          "big=100000000000000000000B gone=U\n");
  }

  TEST_CASE("nagios summary cannot break the line") {
    CHECK(nagios_line("queue", Status::critical, "a|b\nc\r", {}) == "OPSCTL QUEUE CRITICAL - a/b c \n");
  }

  TEST_CASE("prometheus exposition, exact text") {
    const std::vector<PromMetric> metrics = {
        {"opsctl_queue_jobs", "Jobs by queue and state.", "gauge",
         {{{{"queue", "emails"}, {"state", "waiting"}}, 12}, {{{"queue", "emails"}, {"state", "failed"}}, 0}}},
        {"opsctl_check_up", "1 when the check passed.", "gauge", {{{}, 1}}},
        {"opsctl_latency_seconds", "Latency.", "gauge", {{{}, 0.125}}},
    };
    CHECK(prom_exposition(metrics) ==
          "# HELP opsctl_queue_jobs Jobs by queue and state.\n"
          "# TYPE opsctl_queue_jobs gauge\n"
          "opsctl_queue_jobs{queue=\"emails\",state=\"waiting\"} 12\n"
          "opsctl_queue_jobs{queue=\"emails\",state=\"failed\"} 0\n"
          "# HELP opsctl_check_up 1 when the check passed.\n"
          "# TYPE opsctl_check_up gauge\n"
          "opsctl_check_up 1\n"
          "# HELP opsctl_latency_seconds Latency.\n"
          "# TYPE opsctl_latency_seconds gauge\n"
          "opsctl_latency_seconds 0.125\n");
  }

  TEST_CASE("prometheus escapes label values and help text") {
    const std::vector<PromMetric> metrics = {
        {"opsctl_jobs_total", "Line one\nback\\slash \"q\"", "counter",
         {{{{"queue", "a\"b\\c\nd"}}, 3}, {{{"queue", "inf"}}, std::numeric_limits<double>::infinity()}}}};
    CHECK(prom_exposition(metrics) ==
          "# HELP opsctl_jobs_total Line one\\nback\\\\slash \"q\"\n"
          "# TYPE opsctl_jobs_total counter\n"
          "opsctl_jobs_total{queue=\"a\\\"b\\\\c\\nd\"} 3\n"
          "opsctl_jobs_total{queue=\"inf\"} +Inf\n");
  }

  TEST_CASE("prometheus refuses names that would break the file") {
    CHECK_THROWS_AS(prom_exposition({{"queue_jobs", "h", "gauge", {}}}), opsctl::Error);
    CHECK_THROWS_AS(prom_exposition({{"opsctl_bad-name", "h", "gauge", {}}}), opsctl::Error);
    CHECK_THROWS_AS(prom_exposition({{"opsctl_x", "h", "histogram", {}}}), opsctl::Error);
    CHECK_THROWS_AS(prom_exposition({{"opsctl_x", "h", "gauge", {{{{"bad label", "v"}}, 1}}}}), opsctl::Error);
    CHECK(prom_exposition({}) == "");
  }

  TEST_CASE("atomic write: content, replace, no temp file left") {
    TempDir dir;
    const fs::path target = dir.path / "opsctl.prom";
    write_file_atomic(target, "opsctl_up 1\n");
    CHECK(read_all(target) == "opsctl_up 1\n");
    write_file_atomic(target, "opsctl_up 0\n");
    CHECK(read_all(target) == "opsctl_up 0\n");
    CHECK(dir.entries() == std::vector<std::string>{"opsctl.prom"});
    const auto perms = fs::status(target).permissions();
    CHECK((perms & fs::perms::others_read) != fs::perms::none);
    write_file_atomic(target, "");
    CHECK(read_all(target) == "");
    CHECK(dir.entries() == std::vector<std::string>{"opsctl.prom"});
  }

  TEST_CASE("atomic write: error names the path and leaves nothing behind") {
    TempDir dir;
    const fs::path missing = dir.path / "no-such-dir" / "opsctl.prom";
    try {
      write_file_atomic(missing, "x\n");
      FAIL("no error");
    } catch (const opsctl::Error& e) {
      CHECK(e.code() == opsctl::ExitCode::critical);
      const std::string msg = e.what();
      CHECK(msg.find(missing.string()) != std::string::npos);
      CHECK(msg.find("No such file or directory") != std::string::npos);
    }
    // The target is a directory: rename fails after the temp file was written.
    fs::create_directory(dir.path / "taken");
    CHECK_THROWS_AS(write_file_atomic(dir.path / "taken", "x\n"), opsctl::Error);
    CHECK(dir.entries() == std::vector<std::string>{"taken"});
  }
}
