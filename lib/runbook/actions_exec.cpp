// exec: a program from an argv template. Each word is substituted on its own ({to}, ...) and the
// list goes to posix_spawnp: no shell ever sees a parameter, so "; rm -rf /", "$(...)" and
// backticks are plain text in one argument.
#include <algorithm>

#include <fmt/format.h>

#include "runbook/actions.h"
#include "runbook/process.h"
#include "runbook/template.h"
#include "util/redact.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

// {name} placeholders of a command parameter's word, from vars only; one pass.
std::string substitute(const Args& a, const std::string& word, const json& vars) {
  Template t;
  try {
    t = Template::parse(word);
  } catch (const ExprError& e) {
    throw a.error("command", fmt::format("word '{}': {}", word, e.what()));
  }
  std::string out;
  for (const auto& p : t.parts()) {
    if (!p.ref) {
      out += p.text;
      continue;
    }
    std::string name = join_path(*p.ref);
    if (p.ref->size() != 1 || !vars.is_object() || !vars.contains(name)) {
      std::vector<std::string> known;
      if (vars.is_object()) for (const auto& [k, _] : vars.items()) known.push_back("{" + k + "}");
      throw a.error("command", fmt::format("unknown placeholder {{{}}} in '{}' (this step sets {})", name, word,
                                           known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", "))));
    }
    const json& v = vars[name];
    if (!v.is_string() && !v.is_number() && !v.is_boolean()) {
      throw a.error("vars", fmt::format("{} must be text or a number", name));
    }
    out += value_text(v);
  }
  return out;
}

std::vector<std::string> build_argv(const Args& a) {
  const json& cmd = a.raw("command");
  const json& vars = a.raw("vars");
  if (!vars.is_null() && !vars.is_object()) throw a.error("vars", "must be a map of name: value");
  std::vector<std::string> argv;
  auto splice = [&](const json& tmpl) {
    for (const auto& w : tmpl["argv_template"]) argv.push_back(substitute(a, w.get<std::string>(), vars));
  };
  auto is_template = [](const json& v) { return v.is_object() && v.contains("argv_template"); };
  if (is_template(cmd)) {
    splice(cmd);
  } else if (cmd.is_array()) {
    for (const auto& w : cmd) {
      if (is_template(w)) splice(w);
      else if (w.is_string() || w.is_number()) argv.push_back(value_text(w));
      else throw a.error("command", fmt::format("each word must be text, not {}", w.type_name()));
    }
  } else {
    throw a.error("command", "must be a list of words ([prog, arg, ...]) or a command parameter "
                             "(\"{params.name}\"); opsctl never hands a string to a shell to split");
  }
  if (argv.empty() || argv[0].empty()) throw a.error("command", "the command is empty");
  return argv;
}

// For people only (summaries, transcripts): words with blanks or quotes shown in single quotes.
std::string display(const std::vector<std::string>& argv) {
  std::vector<std::string> words;
  for (const auto& w : argv) {
    bool plain = !w.empty() && w.find_first_of(" \t\n'\"\\$`;&|<>()*?[]{}!#~") == std::string::npos;
    if (plain) {
      words.push_back(w);
    } else {
      std::string q = "'";
      for (char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      words.push_back(q + "'");
    }
  }
  return util::redact(fmt::format("{}", fmt::join(words, " ")));
}

ActionResult exec(const Args& a, ActionContext&, DryRun dry) {
  std::vector<std::string> argv = build_argv(a);
  auto timeout = a.duration_or("timeout", std::chrono::seconds(30));
  std::int64_t max_output = a.integer_or("max_output", 64 << 10);
  if (max_output < 0 || max_output > (16 << 20)) throw a.error("max_output", "must be between 0 and 16777216");
  std::vector<std::int64_t> ok_codes{0};
  if (a.has("ok_codes")) {
    ok_codes.clear();
    const json& codes = a.raw("ok_codes");
    if (!codes.is_array()) throw a.error("ok_codes", "must be a list of exit codes");
    for (const auto& c : codes) {
      if (!c.is_number_integer()) throw a.error("ok_codes", "must be a list of exit codes");
      ok_codes.push_back(c.get<std::int64_t>());
    }
  }
  ActionResult out;
  out.target = display(argv);
  out.planned = 1;
  out.findings = {{"argv", argv},       {"exit_code", nullptr}, {"stdout", ""},       {"stderr", ""},
                  {"timed_out", false}, {"duration_ms", 0},     {"ran", false}};
  if (dry == DryRun::yes) {
    out.summary = fmt::format("run {}", out.target);
    return out;
  }
  ProcessResult p = run_process(argv, timeout, static_cast<std::size_t>(max_output));
  out.changed = 1;
  out.findings["ran"] = true;
  out.findings["exit_code"] = p.exit_code;
  out.findings["stdout"] = p.out;
  out.findings["stderr"] = p.err;
  out.findings["timed_out"] = p.timed_out;
  out.findings["duration_ms"] = p.duration_ms;
  bool ok = !p.timed_out && std::find(ok_codes.begin(), ok_codes.end(), p.exit_code) != ok_codes.end();
  std::string last = p.err.empty() ? p.out : p.err;
  while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.pop_back();
  last = last.substr(last.rfind('\n') == std::string::npos ? 0 : last.rfind('\n') + 1);
  if (p.timed_out) {
    out.error = fmt::format("{} did not finish within {} ms and was stopped", out.target, timeout.count());
  } else if (!ok) {
    out.error = fmt::format("{} exited with status {}{}", out.target, p.exit_code, last.empty() ? "" : ": " + last);
  }
  out.failed = !ok;
  out.status = ok ? Status::ok : Status::critical;
  out.summary = ok ? fmt::format("ran {} (exit {})", out.target, p.exit_code) : out.error;
  return out;
}

}  // namespace

void add_exec(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"exec", "run a program from an argv template, without a shell", Effect::program,
           {{"command", V::command, true, "[prog, arg, ...] or a command parameter (\"{params.name}\")"},
            {"vars", V::object, false, "values of the {name} placeholders of a command parameter"},
            {"timeout", V::duration, false, "stop the program after this long (default 30s)"},
            {"max_output", V::integer, false, "bytes of stdout and of stderr kept (default 65536)"},
            {"ok_codes", V::list, false, "exit codes that mean success (default [0])"}},
           {{"argv", V::list, "the words run"},
            {"exit_code", V::integer, "exit status (128 + signal when killed); null in a dry run"},
            {"stdout", V::string, "standard output (bounded)"},
            {"stderr", V::string, "standard error (bounded)"},
            {"timed_out", V::boolean, "it ran past its timeout and was stopped"},
            {"duration_ms", V::integer, "how long it ran"},
            {"ran", V::boolean, "the program ran (false in a dry run)"}},
           exec});
}

}  // namespace opsctl::runbook::actions
