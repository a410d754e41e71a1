#include "queue/redis/discovery.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "queue/keys.h"
#include "util/text.h"

namespace opsctl::queue {
namespace {

// All keys matching pattern with the given TYPE, SCAN cursor by cursor, on every master of a
// Redis Cluster (each holds the keys of its own slots).
std::vector<std::string> scan_keys(redis::Client& client, const std::string& pattern, const std::string& type) {
  std::vector<std::string> keys;
  for (redis::Client* node : client.masters()) {
    std::string cursor = "0";
    do {
      auto r = node->command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000", "TYPE", type});
      if (r.elements.size() != 2) break;
      cursor = r.elements[0].str;
      for (const auto& k : r.elements[1].elements) keys.push_back(k.str);
    } while (cursor != "0");
  }
  return keys;
}

}  // namespace

std::string queue_name_from_key(const std::string& key, const std::string& prefix, const std::string& suffix) {
  std::string head = prefix + ":", tail = ":" + suffix;
  if (key.size() <= head.size() + tail.size()) return "";
  if (key.compare(0, head.size(), head) != 0) return "";
  if (key.compare(key.size() - tail.size(), tail.size(), tail) != 0) return "";
  std::string name = key.substr(head.size(), key.size() - head.size() - tail.size());
  if (name.empty() || name.find(':') != std::string::npos) return "";
  return name;
}

std::vector<std::string> discover_queues(redis::Client& client, const std::string& prefix) {
  std::string esc = escape_glob(prefix);
  std::set<std::string> candidates_meta, candidates_id;
  for (const auto& k : scan_keys(client, esc + ":*:meta", "hash")) {
    auto n = queue_name_from_key(k, prefix, "meta");
    if (!n.empty()) candidates_meta.insert(n);
  }
  for (const auto& k : scan_keys(client, esc + ":*:id", "string")) {
    auto n = queue_name_from_key(k, prefix, "id");
    if (!n.empty()) candidates_id.insert(n);
  }
  // Confirm each candidate: a meta hash with BullMQ's fields, or an integer id counter.
  std::vector<std::string> names(candidates_meta.begin(), candidates_meta.end());
  names.insert(names.end(), candidates_id.begin(), candidates_id.end());
  std::vector<redis::Command> cmds;
  for (const auto& n : candidates_meta) {
    cmds.push_back({"HMGET", prefix + ":" + n + ":meta", "opts.maxLenEvents", "version", "paused", "concurrency"});
  }
  for (const auto& n : candidates_id) cmds.push_back({"GET", prefix + ":" + n + ":id"});
  auto replies = client.pipeline(cmds);
  std::set<std::string> confirmed;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& r = replies[i];
    bool ok = false;
    if (i < candidates_meta.size()) {
      for (const auto& e : r.elements) ok = ok || !e.is_nil();
    } else {
      ok = r.as_int().has_value();
    }
    if (ok) confirmed.insert(names[i]);
  }
  return {confirmed.begin(), confirmed.end()};
}

void throw_queue_not_found(redis::Client& client, const std::string& prefix, const std::string& name) {
  std::string hint = util::closest_match(name, discover_queues(client, prefix));
  throw critical_error(fmt::format("redis {}: queue '{}' not found under prefix '{}'{}", client.target().display(),
                                   name, prefix,
                                   hint.empty() ? " (opsctl queue list shows the queues)"
                                                : fmt::format(" (did you mean '{}'?)", hint)));
}

}  // namespace opsctl::queue
