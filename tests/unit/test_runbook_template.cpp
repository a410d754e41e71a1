#include <doctest/doctest.h>

#include "core/error.h"
#include "runbook/params.h"
#include "runbook/parse.h"
#include "runbook/template.h"

using namespace opsctl;
using namespace opsctl::runbook;
using nlohmann::json;

namespace {

Runbook params_runbook() {
  return parse_runbook(R"(name: t
params:
  - {name: queue, type: string, required: true}
  - {name: limit, type: int, default: "50"}
  - {name: age, type: duration, default: 5m}
  - {name: url, type: url}
  - {name: file, type: path}
  - {name: cmd, type: command}
  - {name: mode, type: string, default: "off", choices: ["on", "off"]}
steps:
  - {id: a, kind: diagnose, action: wait, with: {duration: 1s}}
)",
                       "t.yaml");
}

json render_str(const std::string& text, const Scope& s) { return render(Template::parse(text), s); }

}  // namespace

TEST_SUITE("runbook.template") {
  TEST_CASE("placeholders are replaced once; braces are escaped by doubling") {
    Scope s = bind_params(params_runbook(), {{"queue", "emails"}});
    CHECK(render_str("queue {params.queue}!", s) == "queue emails!");
    CHECK(render_str("{{not a placeholder}} {params.queue}", s) == "{not a placeholder} emails");
    CHECK(render_str("{ params.queue }", s) == "emails");
    CHECK(render_str("plain", s) == "plain");
  }

  TEST_CASE("a single placeholder keeps the value's type; durations stay as written") {
    Scope s = bind_params(params_runbook(), {{"queue", "emails"}});
    s.data["steps"]["c"] = {{"findings", {{"waiting", 80}, {"paused", true}, {"ids", {"1", "2"}}}}};
    CHECK(render_str("{params.limit}", s) == json(50));
    CHECK(render_str("{params.age}", s) == json("5m"));
    CHECK(render_str("{steps.c.findings.waiting}", s) == json(80));
    CHECK(render_str("{steps.c.findings.paused}", s) == json(true));
    CHECK(render_str("ids: {steps.c.findings.ids}", s) == json(R"(ids: ["1","2"])"));
    CHECK(s.data["params"]["age"] == 300000);  // expressions compare milliseconds
  }

  TEST_CASE("a substituted value is never scanned again") {
    Scope s = bind_params(params_runbook(), {{"queue", "{params.limit} $(touch x) `id`"}});
    CHECK(render_str("q={params.queue}", s) == "q={params.limit} $(touch x) `id`");
  }

  TEST_CASE("a command parameter becomes argv word templates") {
    Scope s = bind_params(params_runbook(), {{"queue", "q"}, {"cmd", "/bin/switch --to {to} 'a b' \"c\\\"d\" e\\ f"}});
    json v = render_str("{params.cmd}", s);
    REQUIRE(v.contains("argv_template"));
    CHECK(v["argv_template"] == json({"/bin/switch", "--to", "{to}", "a b", "c\"d", "e f"}));
  }

  TEST_CASE("a placeholder without a value is an error naming it, or n/a where asked") {
    Scope s = bind_params(params_runbook(), {{"queue", "q"}});
    CHECK_THROWS_WITH_AS(render_str("{params.url}", s), doctest::Contains("parameter was not given"), RenderError);
    CHECK_THROWS_WITH_AS(render_str("{steps.x.findings.y}", s), doctest::Contains("step x"), RenderError);
    CHECK(render(Template::parse("url {params.url}"), s, Missing::empty) == "url n/a");
  }

  TEST_CASE("an argument that is only an unset optional parameter is left out") {
    Scope s = bind_params(params_runbook(), {{"queue", "q"}});
    json args = render_args({{"queue", "{params.queue}"}, {"url", "{params.url}"}, {"n", 3}}, s);
    CHECK(args == json{{"queue", "q"}, {"n", 3}});
    CHECK_THROWS_AS(render_args({{"u", "x {params.url}"}}, s), RenderError);
  }

  TEST_CASE("template syntax errors carry the position") {
    auto pos = [](const std::string& t) {
      try {
        (void)Template::parse(t);
      } catch (const ExprError& e) {
        return e.pos();
      }
      return std::string::npos;
    };
    CHECK(pos("abc {params.x") == 13);
    CHECK(pos("abc } def") == 4);
    CHECK(pos("{ }") == 2);
    CHECK(pos("{9lives}") == 1);
    CHECK(pos("{a..b}") == 3);
    CHECK(pos("ok {{ and }}") == std::string::npos);
  }

  TEST_CASE("parameters: types, defaults, choices, unknown and missing ones") {
    Runbook rb = params_runbook();
    CHECK_THROWS_WITH_AS(bind_params(rb, {}), doctest::Contains("needs --param queue=..."), Error);
    CHECK_THROWS_WITH_AS(bind_params(rb, {{"queue", "q"}, {"limt", "3"}}), doctest::Contains("did you mean 'limit'"), Error);
    CHECK_THROWS_WITH_AS(bind_params(rb, {{"queue", "q"}, {"queue", "r"}}), doctest::Contains("given twice"), Error);
    CHECK_THROWS_WITH_AS(bind_params(rb, {{"queue", "q"}, {"limit", "x"}}), doctest::Contains("not an integer"), Error);
    CHECK_THROWS_WITH_AS(bind_params(rb, {{"queue", "q"}, {"age", "5 minutes"}}), doctest::Contains("parameter age"), Error);
    CHECK_THROWS_WITH_AS(bind_params(rb, {{"queue", "q"}, {"url", "localhost:80"}}), doctest::Contains("not a URL"), Error);
    CHECK_THROWS_WITH_AS(bind_params(rb, {{"queue", "q"}, {"file", ""}}), doctest::Contains("must not be empty"), Error);
    CHECK_THROWS_WITH_AS(bind_params(rb, {{"queue", "q"}, {"cmd", "a 'b"}}), doctest::Contains("unclosed '"), Error);
    CHECK_THROWS_WITH_AS(bind_params(rb, {{"queue", "q"}, {"cmd", "  "}}), doctest::Contains("empty"), Error);
    CHECK_THROWS_WITH_AS(bind_params(rb, {{"queue", "q"}, {"mode", "maybe"}}), doctest::Contains("not one of on, off"), Error);
    try {
      bind_params(rb, {});
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::usage);
    }
    Scope s = bind_params(rb, {{"queue", "q"}, {"age", "1h30m"}, {"url", "http://x:1/h"}});
    CHECK(s.data["params"]["age"] == 5400000);
    CHECK(s.data["params"]["limit"] == 50);
    CHECK(s.data["params"]["mode"] == "off");
    CHECK_FALSE(s.data["params"].contains("file"));
    CHECK(s.param_text.at("age") == "1h30m");
  }

  TEST_CASE("--param parsing") {
    CHECK(parse_param_flag("queue=emails") == std::pair<std::string, std::string>{"queue", "emails"});
    CHECK(parse_param_flag("x=a=b") == std::pair<std::string, std::string>{"x", "a=b"});
    CHECK(parse_param_flag("x=") == std::pair<std::string, std::string>{"x", ""});
    CHECK_THROWS_AS(parse_param_flag("=v"), Error);
    CHECK_THROWS_AS(parse_param_flag("novalue"), Error);
  }

  TEST_CASE("command splitting treats shell syntax as plain text") {
    CHECK(split_command("a ; touch x") == std::vector<std::string>{"a", ";", "touch", "x"});
    CHECK(split_command("echo $(id) `id` $HOME *") == std::vector<std::string>{"echo", "$(id)", "`id`", "$HOME", "*"});
    CHECK(split_command("'a b'c \"d e\"") == std::vector<std::string>{"a bc", "d e"});
    CHECK(split_command("''") == std::vector<std::string>{""});
    CHECK(split_command("   ").empty());
  }
}
