#include "cmd/queue/render_list.h"

#include <algorithm>

#include <fmt/format.h>

#include "cmd/queue/render.h"
#include "output/format.h"
#include "output/table.h"
#include "queue/json.h"
#include "queue/json_fields.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

// The first non-ok finding of a queue, for the text table.
std::string first_finding(const queue::Verdict& v) {
  for (const auto& c : v.checks) {
    if (c.level != Status::ok) return c.message;
  }
  return "";
}

}  // namespace

std::string list_text(const std::string& prefix, const std::vector<ListedQueue>& queues, bool color) {
  if (queues.empty()) return fmt::format("No BullMQ queues under prefix '{}' (try --prefix).\n", prefix);
  std::vector<std::string> headers{"QUEUE", "STATUS", "PAUSED"};
  std::vector<output::Align> align{output::Align::left, output::Align::left, output::Align::left};
  for (const auto& state : queue::bullmq_states()) {
    std::string h = state;
    for (auto& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    headers.push_back(h);
    align.push_back(output::Align::right);
  }
  headers.push_back("LAYOUT");
  headers.push_back("FINDING");
  align.push_back(output::Align::left);
  align.push_back(output::Align::left);
  output::Table t(headers, align);
  for (const auto& q : queues) {
    const auto& f = q.figures;
    std::vector<std::string> row{f.ref.name, output::colorize(q.verdict.status, std::string(to_upper(q.verdict.status)), color),
                                 f.shape.paused ? output::colorize(Status::warning, "yes", color) : "no"};
    for (const auto& state : queue::bullmq_states()) {
      std::string cell = "-";
      for (const auto& [s, n] : f.counts) {
        if (s == state) cell = n ? std::to_string(*n) : "?";
      }
      row.push_back(cell);
    }
    row.push_back(queue::to_string(f.shape.layout) + (f.shape.problems.empty() ? "" : " (problems)"));
    row.push_back(util::truncate_utf8(first_finding(q.verdict), 80));
    t.add_row(row);
  }
  return t.render();
}

nlohmann::json list_json(const std::string& prefix, const std::vector<ListedQueue>& queues, Status status) {
  nlohmann::json doc{{"prefix", prefix}, {"status", std::string(to_string(status))}, {"queues", nlohmann::json::array()}};
  for (const auto& q : queues) {
    const auto& f = q.figures;
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : q.verdict.checks) checks.push_back(queue::to_json(c));
    nlohmann::json item{{"queue", f.ref.name}, {"paused", f.shape.paused}, {"layout", queue::to_string(f.shape.layout)},
                        {"version", f.shape.version ? nlohmann::json(*f.shape.version) : nlohmann::json()},
                        {"counts", queue::counts_json(f.counts)}, {"status", std::string(to_string(q.verdict.status))},
                        {"summary", q.verdict.summary}, {"workers", f.workers ? nlohmann::json(f.workers->size()) : nlohmann::json()},
                        {"checks", checks}, {"problems", queue::problems_json(f.problems)}};
    item.update(queue::figures_json(f, q.thresholds));
    doc["queues"].push_back(std::move(item));
  }
  return doc;
}

std::string list_nagios(const std::string& prefix, const std::vector<ListedQueue>& queues, Status status) {
  std::vector<std::string> bad;
  std::vector<output::PerfData> perf;
  for (const auto& q : queues) {
    if (q.verdict.status != Status::ok) {
      bad.push_back(fmt::format("{} {}: {}", q.figures.ref.name, to_upper(q.verdict.status), first_finding(q.verdict)));
    }
    std::string name = q.figures.ref.name;
    // Plugin guidelines: no '=' or quotes in a label (a queue name may hold them).
    std::replace_if(name.begin(), name.end(), [](char ch) { return ch == '=' || ch == '\'' || ch == '"'; }, '_');
    for (auto p : checks_perfdata(q.verdict.checks)) {
      p.label = name + "." + p.label;
      perf.push_back(std::move(p));
    }
  }
  std::string summary = bad.empty() ? fmt::format("{} queue{} under {}, all ok", queues.size(), queues.size() == 1 ? "" : "s", prefix)
                                    : fmt::format("{} of {} queues not ok: {}", bad.size(), queues.size(), fmt::join(bad, "; "));
  return output::nagios_line("QUEUES", status, summary, perf);
}

std::string list_prom(const std::vector<ListedQueue>& queues, const output::PromLabels& run) {
  output::PromSet out(run);
  for (const auto& q : queues) {
    out.add("opsctl_queue_status", {{"prefix", q.figures.ref.prefix}, {"queue", q.figures.ref.name}},
            static_cast<double>(static_cast<int>(exit_code(q.verdict.status))));
  }
  for (const auto& q : queues) add_queue_metrics(out, q.figures, q.verdict.checks);
  return out.exposition();
}

}  // namespace opsctl::cmd
