#include <doctest/doctest.h>

#include "runbook/expr.h"

using namespace opsctl::runbook;
using nlohmann::json;

namespace {

const json scope = {
    {"params", {{"queue", "emails"}, {"retry", "true"}, {"limit", 50}, {"age", 300000}}},
    {"steps",
     {{"counts",
       {{"status", "critical"},
        {"changed", 0},
        {"findings", {{"waiting", 80}, {"paused", true}, {"workers", 0}, {"ratio", 0.5}, {"name", ""},
                      {"waiting-children", 3}, {"nothing", nullptr}, {"list", json::array()}}}}}}},
    {"findings", {{"waiting", 12}}}};

bool test(const std::string& text) { return Expr::parse(text).test(scope); }

// The byte position and message of a syntax error.
std::pair<std::size_t, std::string> syntax_error(const std::string& text) {
  try {
    (void)Expr::parse(text);
  } catch (const ExprError& e) {
    return {e.pos(), e.what()};
  }
  FAIL("no syntax error for: " << text);
  return {};
}

}  // namespace

TEST_SUITE("runbook.expr") {
  TEST_CASE("comparisons of numbers, strings and booleans") {
    CHECK(test("steps.counts.findings.waiting > 50"));
    CHECK(test("steps.counts.findings.waiting >= 80"));
    CHECK_FALSE(test("steps.counts.findings.waiting < 80"));
    CHECK(test("steps.counts.findings.waiting <= 80"));
    CHECK(test("steps.counts.findings.waiting != 79"));
    CHECK(test("params.queue == 'emails'"));
    CHECK(test("params.queue == \"emails\""));
    CHECK(test("params.queue < 'zzz'"));
    CHECK(test("steps.counts.findings.paused == true"));
    CHECK(test("steps.counts.findings.ratio < 1"));
    CHECK(test("steps.counts.findings.ratio == 0.5"));
    CHECK(test("-1 < 0"));
    CHECK(test("findings.waiting < steps.counts.findings.waiting"));
    CHECK(test("steps.counts.findings.waiting-children == 3"));
  }

  TEST_CASE("and, or, not and parentheses, with precedence not > and > or") {
    CHECK(test("steps.counts.findings.paused and steps.counts.findings.workers == 0"));
    CHECK(test("false or steps.counts.findings.paused"));
    CHECK(test("not steps.counts.findings.workers"));
    CHECK(test("true or false and false"));
    CHECK_FALSE(test("(true or false) and false"));
    CHECK(test("not false and true"));
    CHECK_FALSE(test("not (false or true)"));
    CHECK(test("not not true"));
  }

  TEST_CASE("truthiness of bare references") {
    CHECK(test("steps.counts.findings.paused"));
    CHECK_FALSE(test("steps.counts.findings.workers"));  // 0
    CHECK_FALSE(test("steps.counts.findings.name"));     // ""
    CHECK_FALSE(test("steps.counts.findings.nothing"));  // null
    CHECK_FALSE(test("steps.counts.findings.list"));     // []
    CHECK_FALSE(test("steps.nope.findings.x"));          // missing: null
    CHECK(test("params.queue"));
  }

  TEST_CASE("null: equal only to null, never ordered") {
    CHECK(test("steps.counts.findings.nothing == null"));
    CHECK(test("params.missing == null"));
    CHECK(test("params.queue != null"));
    CHECK_FALSE(test("steps.counts.findings.nothing > 0"));
    CHECK_FALSE(test("steps.counts.findings.nothing < 0"));
  }

  TEST_CASE("comparing different types is an error at run time, not a silent false") {
    CHECK_THROWS_AS(test("params.retry == true"), EvalError);
    CHECK_THROWS_AS(test("params.limit == '50'"), EvalError);
    CHECK_THROWS_AS(test("steps.counts.findings.paused > 1"), EvalError);
    CHECK_THROWS_WITH_AS(test("true < false"), doctest::Contains("cannot order"), EvalError);
  }

  TEST_CASE("references and comparisons are listed for lint") {
    Expr e = Expr::parse("steps.counts.findings.waiting > params.limit and not findings.x == 'a'");
    auto refs = e.references();
    REQUIRE(refs.size() == 3);
    CHECK(join_path(refs[0]) == "steps.counts.findings.waiting");
    CHECK(join_path(refs[1]) == "params.limit");
    CHECK(join_path(refs[2]) == "findings.x");
    auto cmps = e.comparisons();
    REQUIRE(cmps.size() == 2);
    CHECK(cmps[0].op == ">");
    CHECK(cmps[0].lhs.ref.has_value());
    CHECK(cmps[1].rhs.literal == json("a"));
  }

  TEST_CASE("escapes in strings") {
    CHECK(Expr::parse(R"('it\'s' == "it's")").test(scope));
    CHECK(Expr::parse(R"("a\\b" == 'a\\b')").test(scope));
  }

  TEST_CASE("malformed expressions name the position and the problem") {
    CHECK(syntax_error("").second.find("expected a value") != std::string::npos);
    CHECK(syntax_error("a ==").first == 4);
    CHECK(syntax_error("(a == 1").second.find("expected ')'") != std::string::npos);
    CHECK(syntax_error("a == 1)").first == 6);
    CHECK(syntax_error("a = 1").second.find("use '=='") != std::string::npos);
    CHECK(syntax_error("a && b").second.find("use 'and'") != std::string::npos);
    CHECK(syntax_error("a || b").second.find("use 'or'") != std::string::npos);
    CHECK(syntax_error("!a").second.find("use 'not'") != std::string::npos);
    CHECK(syntax_error("a < b < c").second.find("do not chain") != std::string::npos);
    CHECK(syntax_error("'open").second.find("unterminated") != std::string::npos);
    CHECK(syntax_error("a.").second.find("after '.'") != std::string::npos);
    CHECK(syntax_error("a == 5m").second.find("milliseconds") != std::string::npos);
    CHECK(syntax_error("a and").first == 5);
    CHECK(syntax_error("1.").second.find("digit") != std::string::npos);
    CHECK(syntax_error("a $ b").first == 2);
    CHECK(syntax_error("'\\n'").second.find("unknown escape") != std::string::npos);
    CHECK(syntax_error("params.x(1)").second.find("unexpected") != std::string::npos);
  }

  TEST_CASE("nesting is bounded instead of overflowing the stack") {
    std::string deep(10000, '(');
    CHECK_THROWS_AS((void)Expr::parse(deep + "1"), ExprError);
    std::string nots;
    for (int i = 0; i < 1000; ++i) nots += "not ";
    CHECK_THROWS_WITH_AS((void)Expr::parse(nots + "true"), doctest::Contains("too deeply"), ExprError);
  }

  TEST_CASE("no code runs: calls, assignments and arithmetic are not part of the language") {
    CHECK_THROWS_AS((void)Expr::parse("system('rm -rf /')"), ExprError);
    CHECK_THROWS_AS((void)Expr::parse("a = 1"), ExprError);
    CHECK_THROWS_AS((void)Expr::parse("1 + 1 == 2"), ExprError);
    CHECK_THROWS_AS((void)Expr::parse("$(touch x)"), ExprError);
  }
}
