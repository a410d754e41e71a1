#include "cmd/app.h"

#include <fmt/format.h>

#include "cmd/help.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "output/monitoring.h"
#include "util/redact.h"

namespace opsctl::cmd {
namespace {

void add_global_flags(CLI::App& app, GlobalOptions& g) {
  app.add_option("--redis", g.redis, "Redis URL redis://[user[:password]@]host[:port][/db] or unix:///path (env REDIS_URL)");
  app.add_option("--prefix", g.prefix, "BullMQ key prefix (env OPSCTL_PREFIX; default bull)");
  app.add_option("--pg", g.pg, "PostgreSQL URL or key=value conninfo (env DATABASE_URL)");
  app.add_option("--context", g.context, "context of the config file to use");
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

// Nagios shows a plugin's stdout: a check that fails before it can measure still prints its line.
void nagios_failure(Io& io, const CLI::App* verb, const Error& e) {
  const CLI::App* noun = verb->get_parent() && verb->get_parent()->get_parent() ? verb->get_parent() : verb;
  Status st = e.code() == ExitCode::critical ? Status::critical : Status::unknown;
  io.out << output::nagios_line(noun->get_name(), st, util::redact(e.what()), {});
}

}  // namespace

int run(int argc, char** argv, Io& io) {
  CLI::App app{"opsctl: operate BullMQ queues, PostgreSQL and health checks during incidents", "opsctl"};
  app.fallthrough();
  app.require_subcommand(1);
  app.failure_message(CLI::FailureMessage::simple);
  GlobalOptions globals;
  add_global_flags(app, globals);
  app.formatter(help_formatter());  // before the subcommands, which copy it
  Registry reg;
  register_health(app, reg);
  register_queue(app, reg);
  register_job(app, reg);
  register_db(app, reg);
  register_runbook(app, reg);
  register_config(app, reg);
  register_version(app, reg);
  register_completion(app, reg);

  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "__complete") {  // hidden: called by the completion scripts
    return run_complete(app, {args.begin() + 1, args.end()}, io);
  }
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, io.out, io.err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, io.out, io.err);
  } catch (const CLI::ParseError& e) {
    std::string hint = usage_hint(app, args);
    io.err << "opsctl: " << util::redact(hint.empty() ? std::string(e.what()) : hint) << "\n"
           << "Run 'opsctl --help' for usage.\n";
    return static_cast<int>(ExitCode::usage);
  }

  globals.command_line = join_args(argc, argv);
  CLI::App* verb = chosen(app);
  try {
    auto it = reg.handlers.find(verb);
    if (it == reg.handlers.end()) {  // a noun without its verb
      io.err << verb->help();
      return static_cast<int>(ExitCode::usage);
    }
    Session session(globals, io);
    return it->second(session);
  } catch (const Error& e) {
    io.err << "opsctl: " << util::redact(e.what()) << "\n";
    if (globals.output == "nagios" && e.code() != ExitCode::usage) nagios_failure(io, verb, e);
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    io.err << "opsctl: internal error: " << util::redact(e.what()) << "\n";
    return static_cast<int>(ExitCode::unknown);
  }
}

}  // namespace opsctl::cmd
