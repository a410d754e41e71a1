#include "queue/workers.h"

#include <sstream>

#include "core/error.h"
#include "util/text.h"

namespace opsctl::queue {
namespace {

bool is_worker_name(const std::string& name, const std::string& base) {
  if (name == base) return true;
  std::string named = base + ":w:";
  return name.compare(0, named.size(), named) == 0;
}

}  // namespace

std::vector<WorkerInfo> match_workers(const std::string& client_list, const QueueRef& ref) {
  std::string b64 = ref.prefix + ":" + util::base64_encode(ref.name);
  std::string plain = ref.prefix + ":" + ref.name;
  std::vector<WorkerInfo> out;
  std::istringstream lines(client_list);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    WorkerInfo w;
    std::istringstream fields(line);
    std::string kv;
    while (fields >> kv) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) continue;
      std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
      if (key == "name") w.rawname = value;
      else if (key == "addr") w.addr = value;
      else if (key == "idle") {
        if (auto v = util::parse_int(value)) w.idle_s = *v;
      }
    }
    if (!w.rawname.empty() && (is_worker_name(w.rawname, b64) || is_worker_name(w.rawname, plain))) {
      out.push_back(std::move(w));
    }
  }
  return out;
}

std::vector<WorkerInfo> match_workers(const std::vector<std::string>& client_lists, const QueueRef& ref) {
  std::vector<WorkerInfo> most;
  for (const auto& list : client_lists) {
    auto here = match_workers(list, ref);
    if (here.size() > most.size()) most = std::move(here);
  }
  return most;
}

}  // namespace opsctl::queue
