#pragma once
// Shared by the runbook verbs: where runbooks are looked up, loading one (parse + lint, exit 78 on
// an error), and the ActionContext of a run over the session.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cmd/session.h"
#include "runbook/action_context.h"
#include "runbook/catalog.h"
#include "runbook/model.h"

namespace opsctl::cmd {

// --runbook-dir DIR on a verb.
void add_runbook_dir_flag(CLI::App& verb, std::string& dir);

// --runbook-dir (required to exist), then $XDG_CONFIG_HOME/opsctl/runbooks.
std::vector<runbook::RunbookDir> runbook_dirs(Session& s, const std::string& flag_dir);

// Finds, parses and lints NAME|FILE. Throws config_error listing every lint error (file:line).
runbook::Runbook load_runbook(const std::string& name_or_path, const std::vector<runbook::RunbookDir>& dirs);

// Runbook actions reach the queues, PostgreSQL, clocks and sleep through the session.
class SessionActions : public runbook::ActionContext {
 public:
  explicit SessionActions(Session& s) : s_(s) {}
  queue::QueueStore& queues() override { return s_.queues(); }
  std::string prefix() override { return s_.prefix(); }
  redis::Target redis_target(const std::string& url) override;
  pg::Connection& pg() override { return s_.pg(); }
  pg::ConnectOptions pg_options(const std::string& conninfo) override;
  std::chrono::milliseconds timeout() override { return s_.timeout(); }
  std::int64_t now_ms() override { return s_.io().now_ms(); }
  void sleep_for(std::chrono::milliseconds d) override;
  std::optional<std::string> env(const std::string& name) override;

 private:
  Session& s_;
};

}  // namespace opsctl::cmd
