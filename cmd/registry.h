#pragma once
// How verbs plug into the command tree: each cmd/<noun>/<verb>.cpp adds its CLI11 subcommand and
// a handler. app.cpp runs the handler of the subcommand the user chose. No stubs: only verbs that
// work are registered.
#include <functional>
#include <map>

#include <CLI/CLI.hpp>

#include "cmd/session.h"

namespace opsctl::cmd {

using Handler = std::function<int(Session&)>;

struct Registry {
  std::map<const CLI::App*, Handler> handlers;
  void add(const CLI::App* verb, Handler h) { handlers[verb] = std::move(h); }
};

// One function per noun (cmd/<noun>/*.cpp), called by app.cpp.
void register_queue(CLI::App& app, Registry& reg);
void register_job(CLI::App& app, Registry& reg);
void register_db(CLI::App& app, Registry& reg);
void register_config(CLI::App& app, Registry& reg);
void register_version(CLI::App& app, Registry& reg);
void register_health(CLI::App& app, Registry& reg);
void register_completion(CLI::App& app, Registry& reg);
void register_runbook(CLI::App& app, Registry& reg);

// Candidates for the word being completed (the last of words), one per line: `opsctl __complete`.
int run_complete(CLI::App& root, const std::vector<std::string>& words, Io& io);

// Verbs of a noun, one per file.
void add_queue_list(CLI::App& noun, Registry& reg);
void add_queue_inspect(CLI::App& noun, Registry& reg);
void add_queue_retry(CLI::App& noun, Registry& reg);
void add_queue_clear(CLI::App& noun, Registry& reg);
void add_queue_pause(CLI::App& noun, Registry& reg);
void add_queue_resume(CLI::App& noun, Registry& reg);
void add_queue_promote(CLI::App& noun, Registry& reg);
void add_queue_schedulers(CLI::App& noun, Registry& reg);
void add_job_show(CLI::App& noun, Registry& reg);
void add_job_retry(CLI::App& noun, Registry& reg);
void add_job_remove(CLI::App& noun, Registry& reg);
void add_job_promote(CLI::App& noun, Registry& reg);
void add_job_unstick(CLI::App& noun, Registry& reg);
void add_db_pool(CLI::App& noun, Registry& reg);
void add_db_sessions(CLI::App& noun, Registry& reg);
void add_db_cancel(CLI::App& noun, Registry& reg);
void add_db_terminate(CLI::App& noun, Registry& reg);
void add_db_locks(CLI::App& noun, Registry& reg);
void add_config_view(CLI::App& noun, Registry& reg);
void add_config_get_contexts(CLI::App& noun, Registry& reg);
void add_config_use_context(CLI::App& noun, Registry& reg);
void add_runbook_list(CLI::App& noun, Registry& reg);
void add_runbook_show(CLI::App& noun, Registry& reg);
void add_runbook_run(CLI::App& noun, Registry& reg);
void add_runbook_lint(CLI::App& noun, Registry& reg);

// A clearer message for a failed parse when argv holds an unknown command or flag:
// "unknown command 'inspct' for 'opsctl queue'; did you mean 'inspect'?", else "".
std::string usage_hint(CLI::App& app, const std::vector<std::string>& args);

}  // namespace opsctl::cmd
