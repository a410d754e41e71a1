// --context a,b,c / --all-contexts: the read verbs across contexts in parallel.
#include "cmd/fleet.h"

#include <memory>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "cmd/app.h"
#include "config/fleet.h"
#include "core/error.h"
#include "http/client.h"
#include "output/combine.h"
#include "output/combine_table.h"
#include "output/monitoring.h"
#include "queue/keys.h"

namespace opsctl::cmd {
namespace {

// One context's run: its own streams (nothing is a terminal) and flags.
struct Slot {
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in;
  GlobalOptions flags;
  output::ContextRun run;
};

std::string render_text(const std::string& command, const std::vector<output::ContextRun>& runs, bool color) {
  std::vector<nlohmann::json> docs;
  for (const auto& r : runs) docs.push_back(output::context_document(r));
  if (command == "health") return output::fleet_health_text(docs, color);
  if (command == "queue inspect") return output::fleet_inspect_text(docs, queue::bullmq_states(), color);
  return output::fleet_list_text(docs, queue::bullmq_states(), color);
}

}  // namespace

bool fleet_verb(const std::string& command) {
  return command == "queue list" || command == "queue inspect" || command == "health";
}

int run_fleet(const CLI::App* verb, const Handler& handler, const GlobalOptions& globals, bool all_contexts, Io& io) {
  std::vector<std::string> names;
  output::Format format;
  bool color;
  try {
    if (!fleet_verb(globals.command)) {
      throw usage_error(fmt::format("'{}' runs in one context: several contexts (--context a,b or --all-contexts) "
                                    "work with queue list, queue inspect and health",
                                    globals.command));
    }
    Session top(globals, io);  // validates --timeout and -o; the config and the colour decision
    names = config::resolve_fleet(top.config(), globals.context, all_contexts);
    format = top.format();
    color = top.color();
  } catch (const Error& e) {
    return answer_failure(io, verb, nullptr, globals, e);
  }
  http::init();  // before the threads (health)
  std::vector<std::unique_ptr<Slot>> slots;
  for (const auto& name : names) {
    auto slot = std::make_unique<Slot>();
    slot->flags = globals;
    slot->flags.context = name;
    slot->flags.prom_file.clear();  // the combined document is written once, below
    slot->flags.output = format == output::Format::text ? "json" : std::string(globals.prom_file.empty() ? globals.output : "prom");
    slot->run.context = name;
    slots.push_back(std::move(slot));
  }
  std::vector<std::thread> threads;
  for (auto& slot : slots) {
    threads.emplace_back([&, s = slot.get()] {
      Io cio{s->out, s->err, s->in, false, false, false, io.env, io.now_ms};
      s->run.exit_code = run_verb(verb, handler, s->flags, cio);
      s->run.out = s->out.str();
      s->run.err = s->err.str();
    });
  }
  for (auto& t : threads) t.join();
  std::vector<output::ContextRun> runs;
  for (auto& slot : slots) {
    io.err << output::context_stderr(slot->run);
    runs.push_back(std::move(slot->run));
  }
  std::string text;
  switch (format) {
    case output::Format::json: text = output::json_document(output::combine_json(runs)); break;
    case output::Format::nagios: text = output::combine_nagios(runs); break;
    case output::Format::prom: text = output::combine_prom(runs); break;
    case output::Format::text: text = render_text(globals.command, runs, color); break;
  }
  if (!globals.prom_file.empty()) {
    try {
      output::write_file_atomic(globals.prom_file, text);
    } catch (const Error& e) {
      return answer_failure(io, verb, nullptr, globals, e);
    }
  } else {
    io.out << text;
  }
  return output::worst_exit_code(runs);
}

}  // namespace opsctl::cmd
