// The mutation protocol (lib/mutation) with its two edges faked: the person asked (Prompter) and
// the audit log (AuditSink). Every refusal is audited and changes nothing; a dry run never applies.
#include <doctest/doctest.h>

#include <deque>

#include "core/error.h"
#include "mutation/protocol.h"

using namespace opsctl;
using namespace opsctl::mutation;

namespace {

struct FakePrompter : Prompter {
  bool tty = true;
  std::deque<std::string> answers;  // one line per question, in order
  std::vector<std::string> asked;
  bool interactive() const override { return tty; }
  std::string next(const std::string& text) {
    asked.push_back(text);
    if (answers.empty()) return "";
    std::string a = answers.front();
    answers.pop_front();
    return a;
  }
  bool ask_yes_no(const std::string& text) override {
    const std::string a = next(text);
    return a == "y" || a == "Y" || a == "yes";
  }
  std::string ask_typed(const std::string& text) override { return next(text); }
};

struct FakeAudit : AuditSink {
  std::vector<audit::Record> lines;
  std::vector<audit::Record> dry_lines;
  bool writable = true;
  void append(const audit::Record& r) override {
    if (!writable) throw refused_error("cannot write the audit log /x");
    lines.push_back(r);
  }
  void append_dry_run(const audit::Record& r) override {
    if (writable) dry_lines.push_back(r);
  }
  void check_writable() override {
    if (!writable) throw refused_error("cannot write the audit log /x");
  }
};

struct Fixture {
  FakePrompter prompter;
  FakeAudit audit;
  Consent consent;
  Spec spec;
  int plans = 0;
  int applies = 0;
  std::int64_t matching = 3;

  Fixture() {
    spec.action = "queue.retry";
    spec.target = "127.0.0.1:6379 bull:emails";
    spec.verb_phrase = "retry";
    spec.noun_phrase = "failed jobs";
  }
  Result run_it(const std::function<Result()>& apply = {}) {
    Gate gate(consent, prompter);
    return mutation::run(
        spec, gate, audit,
        [&] {
          ++plans;
          Result r;
          r.action = spec.action;
          r.target = spec.target;
          r.matched = matching;
          for (std::int64_t i = 0; i < matching; ++i) r.add_sample(std::to_string(i + 1));
          return r;
        },
        [&] {
          ++applies;
          if (apply) return apply();
          Result r;
          r.matched = r.changed = matching;
          return r;
        });
  }
};

ExitCode refusal_code(Fixture& f) {
  try {
    f.run_it();
  } catch (const Error& e) {
    return e.code();
  }
  return ExitCode::ok;
}

}  // namespace

TEST_SUITE("mutation protocol") {
  TEST_CASE("a read_only context refuses before planning, and audits it") {
    Fixture f;
    f.consent.context = "prod-ro";
    f.consent.read_only = true;
    f.consent.yes = true;
    CHECK_THROWS_WITH_AS(f.run_it(), "context prod-ro is read_only: queue.retry refused", Error);
    CHECK(f.plans == 0);
    CHECK(f.applies == 0);
    REQUIRE(f.audit.lines.size() == 1);
    CHECK(f.audit.lines[0].result == "refused: read_only context");
    CHECK(f.audit.lines[0].action == "queue.retry");
    CHECK(refusal_code(f) == ExitCode::not_done);
  }

  TEST_CASE("a dry run never applies, audits dry-run best effort and asks nothing") {
    Fixture f;
    f.spec.dry_run = true;
    Result r = f.run_it();
    CHECK(f.applies == 0);
    CHECK(r.dry_run);
    CHECK(r.changed == 0);
    CHECK(r.matched == 3);
    CHECK(f.prompter.asked.empty());
    REQUIRE(f.audit.dry_lines.size() == 1);
    CHECK(f.audit.dry_lines[0].result == "dry-run");
    CHECK(f.audit.dry_lines[0].dry_run);
    CHECK(f.audit.lines.empty());

    Fixture g;  // an unwritable log does not stop a dry run
    g.spec.dry_run = true;
    g.audit.writable = false;
    CHECK_NOTHROW(g.run_it());
    CHECK(g.applies == 0);
  }

  TEST_CASE("without a TTY and without --yes it refuses, audited") {
    Fixture f;
    f.prompter.tty = false;
    CHECK_THROWS_WITH_AS(f.run_it(),
                         "queue.retry: refusing to change 3 failed jobs without confirmation: no TTY, pass --yes "
                         "(or --dry-run to preview)",
                         Error);
    CHECK(f.applies == 0);
    REQUIRE(f.audit.lines.size() == 1);
    CHECK(f.audit.lines[0].result == "refused: no --yes without a TTY");
    CHECK(f.audit.lines[0].matched == 3);
    CHECK(refusal_code(f) == ExitCode::not_done);
  }

  TEST_CASE("--yes without a TTY applies and audits ok") {
    Fixture f;
    f.prompter.tty = false;
    f.consent.yes = true;
    Result r = f.run_it();
    CHECK(f.applies == 1);
    CHECK_FALSE(r.dry_run);
    CHECK(r.changed == 3);
    CHECK(f.prompter.asked.empty());
    REQUIRE(f.audit.lines.size() == 1);
    CHECK(f.audit.lines[0].result == "ok");
    CHECK(f.audit.lines[0].selection == "failed jobs");
  }

  TEST_CASE("on a TTY the question shows count, sample and context; no is declined") {
    Fixture f;
    f.consent.context = "staging";
    f.prompter.answers = {"n"};
    CHECK_THROWS_WITH_AS(f.run_it(), "queue.retry: not confirmed; nothing changed", Error);
    CHECK(f.applies == 0);
    REQUIRE(f.prompter.asked.size() == 1);
    CHECK(f.prompter.asked[0] ==
          "About to retry 3 failed jobs in 127.0.0.1:6379 bull:emails (context staging).\n"
          "Sample ids: 1, 2, 3\nProceed? [y/N] ");
    REQUIRE(f.audit.lines.size() == 1);
    CHECK(f.audit.lines[0].result == "declined");

    Fixture g;
    g.prompter.answers = {"y"};
    g.run_it();
    CHECK(g.applies == 1);
  }

  TEST_CASE("a confirm: true context has its name typed, even with --yes") {
    Fixture f;
    f.consent = {"prod", false, true, true};
    f.prompter.answers = {"staging"};
    CHECK_THROWS_WITH_AS(f.run_it(), "queue.retry: context name not confirmed; nothing changed", Error);
    CHECK(f.applies == 0);
    REQUIRE(f.prompter.asked.size() == 1);
    CHECK(f.prompter.asked[0] == "Context prod asks for confirmation: type its name to continue: ");
    REQUIRE(f.audit.lines.size() == 1);
    CHECK(f.audit.lines[0].result == "declined: context name not typed");

    Fixture g;
    g.consent = {"prod", false, true, true};
    g.prompter.answers = {"prod"};
    g.run_it();
    CHECK(g.applies == 1);
    CHECK(g.audit.lines.back().result == "ok");
  }

  TEST_CASE("the context name is typed once per gate (a runbook asks it once per run)") {
    FakePrompter p;
    p.answers = {"prod"};
    Gate gate({"prod", false, true, true}, p);
    auto never = [](Prompter&) { return false; };
    CHECK(gate.approve(AskAlways::no, never) == Refusal::none);
    CHECK(gate.approve(AskAlways::no, never) == Refusal::none);
    CHECK(p.asked.size() == 1);
  }

  TEST_CASE("typing the queue name is asked even with --yes") {
    Fixture f;
    f.consent.yes = true;
    f.spec.style = ConfirmStyle::type_name;
    f.spec.confirm_name = "emails";
    f.prompter.answers = {"email"};
    CHECK_THROWS_WITH_AS(f.run_it(), "queue.retry: not confirmed; nothing changed", Error);
    REQUIRE(f.prompter.asked.size() == 1);
    CHECK(f.prompter.asked[0].ends_with("Type the queue name (emails) to confirm: "));
    CHECK(f.applies == 0);
  }

  TEST_CASE("an apply that throws is audited failed and rethrown") {
    Fixture f;
    f.consent.yes = true;
    CHECK_THROWS_WITH_AS(f.run_it([]() -> Result { throw critical_error("redis 127.0.0.1:6379: connection lost"); }),
                         "redis 127.0.0.1:6379: connection lost", Error);
    REQUIRE(f.audit.lines.size() == 1);
    CHECK(f.audit.lines[0].result == "failed: redis 127.0.0.1:6379: connection lost");
    CHECK(f.audit.lines[0].matched == 3);
  }

  TEST_CASE("an interrupted apply says how far it got") {
    Fixture f;
    f.consent.yes = true;
    f.matching = 10;
    Result partial;
    partial.action = "queue.retry";
    partial.matched = partial.changed = 4;
    try {
      f.run_it([&]() -> Result { throw Interrupted(critical_error("timeout"), partial); });
      FAIL("no throw");
    } catch (const Interrupted& e) {
      CHECK(std::string(e.what()).starts_with("queue.retry: interrupted after 4 of 10 failed jobs changed: timeout;"));
      CHECK(e.partial().matched == 10);
      CHECK(e.partial().changed == 4);
      CHECK(e.code() == ExitCode::critical);
    }
    REQUIRE(f.audit.lines.size() == 1);
    CHECK(f.audit.lines[0].result == "interrupted: timeout");
    CHECK(f.audit.lines[0].matched == 4);
  }

  TEST_CASE("an unwritable audit log refuses a real mutation before it starts") {
    Fixture f;
    f.consent.yes = true;
    f.audit.writable = false;
    CHECK_THROWS_AS(f.run_it(), Error);
    CHECK(f.applies == 0);
  }

  TEST_CASE("nothing matched: ok, nothing asked, nothing applied") {
    Fixture f;
    f.matching = 0;
    f.prompter.tty = false;  // would refuse if it asked
    Result r = f.run_it();
    CHECK(f.applies == 0);
    CHECK(f.prompter.asked.empty());
    CHECK_FALSE(r.dry_run);
    REQUIRE(f.audit.lines.size() == 1);
    CHECK(f.audit.lines[0].result == "ok: nothing matched");

    Fixture g;  // obliterating an empty queue still applies
    g.matching = 0;
    g.consent.yes = true;
    g.spec.apply_when_empty = true;
    g.run_it();
    CHECK(g.applies == 1);
  }
}
