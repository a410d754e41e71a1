// exec's process runner and argv building against real programs (/bin/sh only as the program under
// test, never to split arguments).
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "core/error.h"
#include "runbook/action.h"
#include "runbook/process.h"
#include "temp_dir.h"

using namespace opsctl;
using namespace opsctl::runbook;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct NoContext : ActionContext {
  opsctl::queue::QueueStore& queues() override { throw std::logic_error("no queues in unit tests"); }
  std::string prefix() override { return "bull"; }
  opsctl::redis::Target redis_target(const std::string&) override { return {}; }
  opsctl::pg::Connection& pg() override { throw std::logic_error("no PostgreSQL in unit tests"); }
  opsctl::pg::ConnectOptions pg_options(const std::string&) override { return {}; }
  std::chrono::milliseconds timeout() override { return 5s; }
  std::int64_t now_ms() override { return 0; }
  void sleep_for(std::chrono::milliseconds) override {}
};

ActionResult exec(const json& with, DryRun dry = DryRun::no) {
  NoContext ctx;
  return builtin_actions().find("exec")->run(Args("exec", with), ctx, dry);
}

}  // namespace

TEST_SUITE("runbook.process") {
  TEST_CASE("exit code, stdout and stderr are captured") {
    auto r = run_process({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, 5s, 1024);
    CHECK(r.exit_code == 3);
    CHECK(r.out == "out\n");
    CHECK(r.err == "err\n");
    CHECK_FALSE(r.timed_out);
  }

  TEST_CASE("a program past its timeout is stopped") {
    auto start = std::chrono::steady_clock::now();
    auto r = run_process({"sleep", "30"}, 300ms, 1024);
    CHECK(r.timed_out);
    CHECK(r.signal == SIGTERM);
    CHECK(r.exit_code == 128 + SIGTERM);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
  }

  TEST_CASE("a program ignoring SIGTERM gets SIGKILL") {
    auto r = run_process({"/bin/sh", "-c", "trap '' TERM; sleep 4 & wait; sleep 4"}, 200ms, 1024);
    CHECK(r.timed_out);
    CHECK(r.signal == SIGKILL);
  }

  TEST_CASE("output beyond the bound is cut and flagged, and the program is not blocked by a full pipe") {
    auto r = run_process({"/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x"}, 10s, 100);
    CHECK(r.exit_code == 0);
    CHECK(r.out.size() == 100);
    CHECK(r.out_truncated);
  }

  TEST_CASE("a program that does not exist is an error naming it") {
    CHECK_THROWS_WITH_AS(run_process({"no-such-program-opsctl"}, 1s, 10), doctest::Contains("not found on PATH"), Error);
    CHECK_THROWS_AS(run_process({}, 1s, 10), Error);
  }

  TEST_CASE("hostile values stay one literal argument each: no shell ever sees them") {
    opsctl_test::TempDir dir;
    std::string marker = (dir / "pwned").string();
    std::vector<std::string> hostile = {"; touch " + marker, "$(touch " + marker + ")", "`touch " + marker + "`",
                                        "a b\nc", "' \" \\", "{params.x}"};
    json cmd = json::array({"printf", "[%s]"});
    for (const auto& h : hostile) cmd.push_back(h);
    auto r = exec({{"command", cmd}});
    std::string expected;
    for (const auto& h : hostile) expected += "[" + h + "]";
    CHECK(r.findings["stdout"] == expected);
    CHECK_FALSE(std::filesystem::exists(marker));
  }

  TEST_CASE("a command parameter's words get {vars} substituted one by one") {
    opsctl_test::TempDir dir;
    std::string marker = (dir / "pwned").string();
    json tmpl = {{"argv_template", {"printf", "%s|", "{to}", "--colour={to}", "x"}}};
    auto r = exec({{"command", tmpl}, {"vars", {{"to", "green; touch " + marker}}}});
    CHECK(r.findings["argv"] == json({"printf", "%s|", "green; touch " + marker, "--colour=green; touch " + marker, "x"}));
    CHECK(r.findings["stdout"] == "green; touch " + marker + "|--colour=green; touch " + marker + "|x|");
    CHECK_FALSE(std::filesystem::exists(marker));
    CHECK_THROWS_WITH_AS(exec({{"command", tmpl}, {"vars", {{"colour", "x"}}}}),
                         doctest::Contains("unknown placeholder {to}"), Error);
  }

  TEST_CASE("exec: failures, ok_codes, dry runs and a string command") {
    auto failed = exec({{"command", {"/bin/sh", "-c", "echo nope >&2; exit 2"}}});
    CHECK(failed.failed);
    CHECK(failed.error == "/bin/sh -c 'echo nope >&2; exit 2' exited with status 2: nope");
    CHECK(failed.findings["exit_code"] == 2);
    auto allowed = exec({{"command", {"/bin/sh", "-c", "exit 2"}}, {"ok_codes", {0, 2}}});
    CHECK_FALSE(allowed.failed);
    auto slow = exec({{"command", {"sleep", "5"}}, {"timeout", "200ms"}});
    CHECK(slow.failed);
    CHECK(slow.findings["timed_out"] == true);
    auto dry = exec({{"command", {"touch", "/nonexistent/x"}}}, DryRun::yes);
    CHECK(dry.planned == 1);
    CHECK(dry.findings["ran"] == false);
    CHECK(dry.summary == "run touch /nonexistent/x");
    CHECK_THROWS_WITH_AS(exec({{"command", "ls -l"}}), doctest::Contains("never hands a string to a shell"), Error);
  }
}
