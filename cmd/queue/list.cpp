// opsctl queue list: the BullMQ queues under a prefix, with counts and paused flag.
#include <fmt/format.h>

#include "cmd/queue/render.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "output/format.h"
#include "output/table.h"
#include "queue/discovery.h"
#include "queue/json.h"

namespace opsctl::cmd {
namespace {

struct ListedQueue {
  queue::QueueRef ref;
  queue::QueueShape shape;
  queue::Counts counts;
};

std::string list_text(const std::string& prefix, const std::vector<ListedQueue>& queues, bool color) {
  if (queues.empty()) return fmt::format("No BullMQ queues under prefix '{}' (try --prefix).\n", prefix);
  std::vector<std::string> headers{"QUEUE", "PAUSED"};
  std::vector<output::Align> align{output::Align::left, output::Align::left};
  for (const auto& state : queue::bullmq_states()) {
    std::string h = state;
    for (auto& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    headers.push_back(h);
    align.push_back(output::Align::right);
  }
  headers.push_back("LAYOUT");
  output::Table t(headers, align);
  for (const auto& q : queues) {
    std::vector<std::string> row{q.ref.name, q.shape.paused ? output::colorize(Status::warning, "yes", color) : "no"};
    for (const auto& state : queue::bullmq_states()) {
      bool present = false;
      for (const auto& [s, n] : q.counts) {
        if (s == state) {
          row.push_back(n ? std::to_string(*n) : "?");
          present = true;
        }
      }
      if (!present) row.push_back("-");
    }
    row.push_back(queue::to_string(q.shape.layout) + (q.shape.problems.empty() ? "" : " (problems)"));
    t.add_row(row);
  }
  return t.render();
}

int run_list(Session& s) {
  if (s.format() == output::Format::nagios) {
    throw usage_error("queue list has no nagios output; use queue inspect QUEUE -o nagios for a check");
  }
  std::string prefix = s.prefix();
  auto& client = s.redis();
  std::vector<ListedQueue> queues;
  for (const auto& name : queue::discover_queues(client, prefix)) {
    ListedQueue q{{prefix, name}, {}, {}};
    q.shape = queue::detect_shape(client, q.ref);
    q.counts = queue::get_counts(client, q.ref, q.shape);
    queues.push_back(std::move(q));
  }
  bool problems = false;
  for (const auto& q : queues) problems = problems || !q.shape.problems.empty();
  if (s.format() == output::Format::json) {
    nlohmann::json doc{{"prefix", prefix}, {"queues", nlohmann::json::array()}};
    for (const auto& q : queues) {
      nlohmann::json problems_json = nlohmann::json::array();
      for (const auto& p : q.shape.problems) problems_json.push_back(queue::to_json(p));
      doc["queues"].push_back({{"queue", q.ref.name}, {"paused", q.shape.paused},
                               {"layout", queue::to_string(q.shape.layout)},
                               {"version", q.shape.version ? nlohmann::json(*q.shape.version) : nlohmann::json()},
                               {"counts", queue::counts_json(q.counts)}, {"problems", problems_json}});
    }
    s.emit(output::json_document(doc));
  } else if (s.format() == output::Format::prom) {
    output::PromMetric jobs{"opsctl_queue_jobs", "Jobs in a BullMQ queue by state", "gauge", {}};
    output::PromMetric paused{"opsctl_queue_paused", "1 when the queue is paused", "gauge", {}};
    for (const auto& q : queues) {
      add_jobs_samples(jobs, q.ref, q.counts);
      paused.samples.push_back({{{"prefix", prefix}, {"queue", q.ref.name}}, q.shape.paused ? 1.0 : 0.0});
    }
    s.emit(output::prom_exposition({jobs, paused}));
  } else {
    s.emit(list_text(prefix, queues, s.color()));
  }
  return static_cast<int>(problems ? ExitCode::unknown : ExitCode::ok);
}

}  // namespace

void add_queue_list(CLI::App& noun, Registry& reg) {
  CLI::App* cmd = noun.add_subcommand("list", "BullMQ queues under a prefix, with counts and paused flag");
  reg.add(cmd, [](Session& s) { return run_list(s); });
}

}  // namespace opsctl::cmd
