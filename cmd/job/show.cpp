// opsctl job show QUEUE ID: one job's data, opts, state, attempts, failedReason, stacktrace, logs.
#include <fmt/format.h>

#include "cmd/registry.h"
#include "core/error.h"
#include "output/format.h"
#include "queue/json.h"
#include "queue/layout.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

struct ShowFlags {
  std::string queue;
  std::string id;
};

// Job fields may hold escape sequences: never send raw control bytes to a terminal.
std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out;
}

std::string field_line(const char* label, const nlohmann::json& v) {
  if (v.is_null()) return "";
  std::string text = v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return fmt::format("{:<14}{}\n", label, printable(text));
}

std::string show_text(const nlohmann::json& j, bool color) {
  std::string out;
  out += field_line("Job:", j["prefix"].get<std::string>() + ":" + j["queue"].get<std::string>() + ":" + j["id"].get<std::string>());
  out += field_line("Name:", j["name"]);
  Status st = j["state"] == "failed" ? Status::critical : j["state"] == "unknown" ? Status::unknown : Status::ok;
  out += fmt::format("{:<14}{}\n", "State:", output::colorize(st, j["state"].get<std::string>(), color));
  out += field_line("Attempts:", fmt::format("{} made{}", j["attempts_made"].dump(),
                                              j["attempts_started"].is_null() ? "" : ", " + j["attempts_started"].dump() + " started"));
  for (auto [label, key] : {std::pair{"Created:", "timestamp"}, {"Processed:", "processed_on"}, {"Finished:", "finished_on"},
                            {"Delay (ms):", "delay"}, {"Priority:", "priority"}, {"Worker:", "worker"},
                            {"Lock TTL ms:", "lock_ttl_ms"}, {"Parent:", "parent_key"},
                            {"Failed:", "failed_reason"}, {"Will fail:", "will_fail_reason"}}) {
    out += field_line(label, j[key]);
  }
  out += field_line("Data:", j["data"]);
  out += field_line("Opts:", j["opts"]);
  out += field_line("Return value:", j["returnvalue"]);
  out += field_line("Progress:", j["progress"]);
  if (!j["stacktrace"].empty()) {
    out += "Stacktrace (last attempt):\n";
    std::string last = j["stacktrace"].back().is_string() ? j["stacktrace"].back().get<std::string>() : j["stacktrace"].back().dump();
    out += "  " + printable(util::truncate_utf8(last, 4000)) + "\n";
  }
  if (!j["logs"].empty()) {
    out += fmt::format("Logs ({} lines, last {} shown):\n", j["log_count"].get<long long>(), j["logs"].size());
    for (const auto& l : j["logs"]) out += "  " + printable(l.get<std::string>()) + "\n";
  }
  if (!j["problems"].empty()) {
    out += output::colorize(Status::warning, "Problems:", color) + "\n";
    for (const auto& p : j["problems"]) out += "  - " + printable(p["problem"].get<std::string>()) + "\n";
  }
  return out;
}

int run_show(Session& s, const ShowFlags& f) {
  if (s.format() == output::Format::nagios || s.format() == output::Format::prom) {
    throw usage_error("job show supports -o text and -o json");
  }
  queue::QueueRef ref{s.prefix(), f.queue};
  auto& store = s.queues();
  auto shape = store.shape(ref);
  auto job = store.job(ref, shape, f.id);
  if (!job) {
    throw critical_error(fmt::format("{} {}: job {} not found in queue {}{}", store.kind(), store.display(), f.id,
                                     ref.display(), shape.exists ? "" : " (the queue itself does not exist)"));
  }
  auto doc = queue::to_json(*job, ref);
  if (s.format() == output::Format::json) {
    s.emit(output::json_document(doc));
  } else {
    s.emit(show_text(doc, s.color()));
  }
  return 0;
}

}  // namespace

void add_job_show(CLI::App& noun, Registry& reg) {
  auto f = std::make_shared<ShowFlags>();
  CLI::App* cmd = noun.add_subcommand("show", "one job: data, opts, state, attempts, failedReason, stacktrace, logs");
  cmd->add_option("queue", f->queue, "queue name")->required();
  cmd->add_option("id", f->id, "job id")->required();
  reg.add(cmd, [f](Session& s) { return run_show(s, *f); });
}

}  // namespace opsctl::cmd
