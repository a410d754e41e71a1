#include "queue/redis/layout.h"

#include <fmt/format.h>

#include "queue/redis/cluster_check.h"
#include "util/text.h"

namespace opsctl::queue {
namespace {

// The Redis type each queue key must have in BullMQ or Bull.
const std::vector<std::pair<std::string, std::string>>& expected_types() {
  static const std::vector<std::pair<std::string, std::string>> types = {
      {"wait", "list"},       {"active", "list"},          {"paused", "list"},
      {"delayed", "zset"},    {"prioritized", "zset"},     {"completed", "zset"},
      {"failed", "zset"},     {"waiting-children", "zset"}, {"marker", "zset"},
      {"priority", "zset"},   {"meta", "hash"},            {"events", "stream"},
      {"id", "string"},       {"meta-paused", "string"},   {"stalled", "set"},
      {"repeat", "zset"},     {"limiter", "string"},       {"metrics:completed", "hash"},
      {"metrics:failed", "hash"},     {"metrics:completed:data", "list"}, {"metrics:failed:data", "list"}};
  return types;
}

}  // namespace

bool QueueShape::key_ok(const std::string& suffix) const {
  auto it = key_types.find(suffix);
  if (it == key_types.end() || it->second == "none") return false;
  for (const auto& [s, t] : expected_types()) {
    if (s == suffix) return it->second == t;
  }
  return false;
}

std::size_t add_shape_commands(redis::Batch& batch, const QueueRef& ref) {
  std::size_t first = 0;
  for (std::size_t i = 0; i < expected_types().size(); ++i) {
    std::size_t slot = batch.add({"TYPE", ref.key(expected_types()[i].first)});
    if (i == 0) first = slot;
  }
  batch.add({"HMGET", ref.key("meta"), "version", "paused", "opts.maxLenEvents", "concurrency"});
  return first;
}

QueueShape detect_shape(redis::Client& client, const QueueRef& ref) {
  require_one_slot(client, ref);
  redis::Batch batch;
  std::size_t first = add_shape_commands(batch, ref);
  batch.run(client);
  return parse_shape(batch, first, ref);
}

QueueShape parse_shape(const redis::Batch& batch, std::size_t first, const QueueRef& ref) {
  QueueShape shape;
  for (std::size_t i = 0; i < expected_types().size(); ++i) {
    const auto& [suffix, want] = expected_types()[i];
    std::string got = batch.at(first + i).as_string().value_or("none");
    shape.key_types[suffix] = got;
    if (got == "none") continue;
    shape.exists = true;
    if (got != want) {
      shape.problems.push_back({"", ref.key(suffix), "",
                                fmt::format("key {} is a {}, expected a {} (not written by BullMQ?)",
                                            ref.key(suffix), got, want)});
    }
  }
  const auto& meta = batch.at(first + expected_types().size());
  bool meta_fields = false;
  if (meta.type == redis::ReplyType::array && meta.elements.size() == 4) {
    shape.version = meta.elements[0].as_string();
    shape.paused = !meta.elements[1].is_nil();
    meta_fields = !meta.elements[2].is_nil();
    if (auto c = meta.elements[3].as_int()) shape.concurrency = *c;
  }
  auto has = [&](const char* suffix) { return shape.key_ok(suffix); };
  // Strongest evidence first (docs/bullmq-keys.md section 6).
  if (shape.version && (shape.version->rfind("bullmq", 0) == 0)) {
    shape.layout = Layout::bullmq;
  } else if (has("events") || has("marker") || has("prioritized")) {
    shape.layout = Layout::bullmq;
  } else if (has("meta-paused") || has("priority")) {
    shape.layout = Layout::bull;
  } else if (meta_fields) {
    shape.layout = Layout::bullmq;
  } else if (has("id") && !has("meta")) {
    shape.layout = Layout::bull;
  }
  if (shape.layout == Layout::bull) shape.paused = shape.paused || has("meta-paused");
  shape.legacy_paused_list = has("paused");
  return shape;
}

}  // namespace opsctl::queue
