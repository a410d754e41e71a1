#include "cmd/app.h"

#include <optional>

#include <fmt/format.h>

#include "cmd/fleet.h"
#include "cmd/help.h"
#include "cmd/registry.h"
#include "cmd/top/top.h"
#include "config/fleet.h"
#include "core/error.h"
#include "output/format.h"
#include "output/monitoring.h"
#include "util/redact.h"

namespace opsctl::cmd {
namespace {

void add_global_flags(CLI::App& app, GlobalOptions& g, bool& all_contexts) {
  app.add_option("--redis", g.redis, "Redis URL redis://[user[:password]@]host[:port][/db], rediss://... (TLS), redis+sentinel://h1,h2/master or unix:///path (env REDIS_URL)");
  app.add_option("--tls-ca", g.tls_ca, "CA bundle (PEM) to verify the Redis server's certificate (default: the system store)");
  app.add_option("--tls-cert", g.tls_cert, "client certificate (PEM) for a Redis server that asks for one");
  app.add_option("--tls-key", g.tls_key, "the client certificate's key (PEM)");
  app.add_option("--tls-server-name", g.tls_server_name, "the name the Redis certificate must carry, sent as SNI (default: the host)");
  app.add_flag("--tls-insecure", g.tls_insecure, "TLS to Redis without verifying the server (said in every output)");
  app.add_option("--prefix", g.prefix, "BullMQ key prefix (env OPSCTL_PREFIX; default bull)");
  app.add_option("--queue-backend", g.queue_backend, "where BullMQ keeps the queues: redis or postgres (BullMQ's PostgreSQL backend, on --pg; env OPSCTL_QUEUE_BACKEND)");
  app.add_option("--pg", g.pg, "PostgreSQL URL or key=value conninfo (env DATABASE_URL)");
  app.add_option("--context", g.context, "context of the config file to use; a,b,c: several, in parallel (queue list, queue inspect, health; top in one view)");
  app.add_flag("--all-contexts", all_contexts, "every context of the config file, in parallel (queue list, queue inspect, health; top in one view)");
  app.add_option("--config", g.config, "config file (env OPSCTL_CONFIG; default $XDG_CONFIG_HOME/opsctl/config.yaml)");
  app.add_option("--timeout", g.timeout, "deadline of every network wait, e.g. 500ms, 5s (default 5s)");
  app.add_option("-o,--output", g.output, "output format: text, json, nagios, prom");
  app.add_option("--prom-file", g.prom_file, "write Prometheus metrics atomically to this file (textfile collector)");
  app.add_flag("--no-color", g.no_color, "never colour the output (also: NO_COLOR)");
  app.add_option("--audit-log", g.audit_log, "audit log of mutations (env OPSCTL_AUDIT_LOG)");
  app.add_flag("-y,--yes", g.yes, "do not ask for confirmation (required for mutations without a TTY)");
}

std::string join_args(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    if (i) out += ' ';
    out += argv[i];
  }
  return out;
}

// The subcommand the user chose: the deepest selected one.
CLI::App* chosen(CLI::App& app) {
  CLI::App* cur = &app;
  for (;;) {
    auto subs = cur->get_subcommands();
    if (subs.empty()) return cur;
    cur = subs.front();
  }
}

// The value of -o/--output (or --prom-file) as typed, read from argv itself: a run that fails while
// its flags are parsed still answers in the format it was asked for.
struct Requested {
  std::string output;
  std::string prom_file;
};

Requested requested_formats(const std::vector<std::string>& args) {
  Requested r;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_next = i + 1 < args.size();
    if ((a == "-o" || a == "--output") && has_next) r.output = args[i + 1];
    else if (a.rfind("--output=", 0) == 0) r.output = a.substr(9);
    else if (a.rfind("-o", 0) == 0 && a.size() > 2 && a[2] != '-') r.output = a.substr(2);
    else if (a == "--prom-file" && has_next) r.prom_file = args[i + 1];
    else if (a.rfind("--prom-file=", 0) == 0) r.prom_file = a.substr(12);
    if (a == "--") break;
  }
  return r;
}

// The verb's path without the program name: "queue inspect".
std::string command_path(const CLI::App* verb) {
  std::string path;
  for (const CLI::App* a = verb; a && a->get_parent(); a = a->get_parent()) {
    path = path.empty() ? a->get_name() : a->get_name() + " " + path;
  }
  return path;
}

// Status words of a run that failed before its verdict: a target that could not be reached is
// critical, anything else (bad data, bad flags, bad config, refused) is unknown.
Status failure_status(const Error& e) { return e.code() == ExitCode::critical ? Status::critical : Status::unknown; }

// -o nagios: a plugin's exit code is 0-3 whatever happens, and Nagios shows its stdout, so a check
// that fails before it can measure still prints its line.
int nagios_failure(Io& io, const CLI::App* verb, const Error& e) {
  const CLI::App* noun = verb->get_parent() && verb->get_parent()->get_parent() ? verb->get_parent() : verb;
  std::string name = noun->get_parent() ? noun->get_name() : std::string("opsctl");
  Status st = failure_status(e);
  std::string what = e.code() == ExitCode::usage ? "usage error: " : e.code() == ExitCode::config ? "config error: " : "";
  io.out << output::nagios_line(name, st, what + util::redact(e.what()), {});
  return static_cast<int>(exit_code(st));
}

// -o json: one document on failure too, the verb's fields (null where unknown) plus error.
void json_failure(Io& io, const CLI::App* verb, const nlohmann::json& skeleton, const Error& e) {
  nlohmann::json doc = skeleton.is_object() ? skeleton : nlohmann::json::object();
  const bool generic = doc.empty();  // the verb said nothing of its fields (or flags did not parse)
  if (generic) doc["command"] = command_path(verb);
  if (generic || doc.contains("status")) doc["status"] = std::string(to_string(failure_status(e)));
  doc["error"] = {{"kind", to_string(e.kind())}, {"message", util::redact(e.what())}};
  io.out << output::json_document(doc);
}

// Writes what a failed run owes its Prometheus consumer: the textfile (or stdout) says the run failed.
void prom_failure(Io& io, const Session* session, const GlobalOptions& globals, const Error& e) {
  // Before the session existed (bad flags) there is no report: the run's own metrics only.
  const std::string text = run_metrics(session ? session->report() : RunReport{}, globals, io.now_ms(), &e);
  if (globals.prom_file.empty()) {
    io.out << text;
    return;
  }
  try {
    output::write_file_atomic(globals.prom_file, text);
  } catch (const Error& w) {
    io.err << "opsctl: " << util::redact(w.what()) << "\n";
  }
}

}  // namespace

// The one exit path: answers a failure in every output the run was asked for, returns the code.
int answer_failure(Io& io, const CLI::App* verb, const Session* session, const GlobalOptions& globals, const Error& e) {
  io.err << "opsctl: " << util::redact(e.what()) << "\n";
  const std::string out = globals.prom_file.empty() ? globals.output : "prom";
  if (out == "json" && (!session || session->report().json_on_failure)) {
    json_failure(io, verb, session ? session->report().json : nlohmann::json::object(), e);
  }
  if (out == "prom") prom_failure(io, session, globals, e);
  if (out == "nagios") return nagios_failure(io, verb, e);
  return static_cast<int>(e.code());
}

int run_verb(const CLI::App* verb, const Handler& handler, const GlobalOptions& globals, Io& io) {
  std::optional<Session> session;
  try {
    session.emplace(globals, io);
    return handler(*session);
  } catch (const Error& e) {
    return answer_failure(io, verb, session ? &*session : nullptr, globals, e);
  } catch (const std::exception& e) {
    return answer_failure(io, verb, session ? &*session : nullptr, globals,
                          Error(ExitCode::unknown, ErrorKind::internal, fmt::format("internal error: {}", e.what())));
  }
}

namespace {

// Flushes stdout and says so when its reader has gone: a check whose output was lost must not look
// like it passed.
int finish(Io& io, int code) {
  io.out.flush();
  if (!io.out.good()) {
    io.err << "opsctl: could not write the output: stdout is closed (its reader went away)\n";
    return code == 0 ? static_cast<int>(ExitCode::unknown) : code;
  }
  return code;
}

}  // namespace

int run(int argc, char** argv, Io& io) {
  CLI::App app{"opsctl: operate BullMQ queues, PostgreSQL and health checks during incidents", "opsctl"};
  app.fallthrough();
  app.require_subcommand(1);
  app.failure_message(CLI::FailureMessage::simple);
  GlobalOptions globals;
  bool all_contexts = false;
  add_global_flags(app, globals, all_contexts);
  app.formatter(help_formatter());  // before the subcommands, which copy it
  Registry reg;
  register_health(app, reg);
  register_queue(app, reg);
  register_job(app, reg);
  register_db(app, reg);
  register_runbook(app, reg);
  register_top(app, reg, all_contexts);
  register_config(app, reg);
  register_version(app, reg);
  register_completion(app, reg);

  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "__complete") {  // hidden: called by the completion scripts
    return run_complete(app, {args.begin() + 1, args.end()}, io);
  }
  const Requested requested = requested_formats(args);
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return finish(io, app.exit(e, io.out, io.err));
  } catch (const CLI::CallForAllHelp& e) {
    return finish(io, app.exit(e, io.out, io.err));
  } catch (const CLI::ParseError& e) {
    std::string hint = usage_hint(app, args);
    std::string message = hint.empty() ? std::string(e.what()) : hint;
    GlobalOptions g = globals;
    g.output = requested.output.empty() ? g.output : requested.output;
    g.prom_file = requested.prom_file;
    g.command = command_path(chosen(app));
    const int code = answer_failure(io, chosen(app), nullptr, g, usage_error(message));
    io.err << "Run 'opsctl --help' for usage.\n";
    return finish(io, code);
  }

  globals.command_line = join_args(argc, argv);
  CLI::App* verb = chosen(app);
  globals.command = command_path(verb);
  auto it = reg.handlers.find(verb);
  if (it == reg.handlers.end()) {  // a noun without its verb
    if (globals.output == "text" && globals.prom_file.empty()) {
      io.err << verb->help();
      return static_cast<int>(ExitCode::usage);
    }
    const auto e = usage_error(fmt::format("'{}' needs a verb; run 'opsctl {} --help'", globals.command, globals.command));
    return finish(io, answer_failure(io, verb, nullptr, globals, e));
  }
  // top reads several contexts itself, in one view.
  if (config::is_fleet(globals.context, all_contexts) && globals.command != "top") {
    return finish(io, run_fleet(verb, it->second, globals, all_contexts, io));
  }
  return finish(io, run_verb(verb, it->second, globals, io));
}

}  // namespace opsctl::cmd
