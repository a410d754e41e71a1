#include "queue/redis/state_common.h"

#include <fmt/format.h>

#include "core/error.h"
#include "queue/redis/guard.h"
#include "util/text.h"

namespace opsctl::queue {

LayoutChoice choose_layout(const QueueShape& shape) {
  LayoutChoice c;
  if (shape.version) {
    const std::string& v = *shape.version;
    std::optional<std::int64_t> major;
    if (v.rfind("bullmq:", 0) == 0) major = util::parse_int(v.substr(7, v.find('.') - 7));
    if (major && *major >= 6) {
      c.layout = PauseLayout::v6;
      c.name = "bullmq6";
      c.reason = "meta.version " + v;
    } else {
      c.name = "bullmq5";
      c.reason = major ? "meta.version " + v
                       : fmt::format("meta.version {} is not BullMQ 6: BullMQ 5's paused list (BullMQ 6 resumes it too)", v);
    }
    return c;
  }
  c.name = "bullmq5";
  c.reason = shape.legacy_paused_list
                 ? "no meta.version and a paused list exists (BullMQ 5 layout)"
                 : "no meta.version: BullMQ 5's paused list, which BullMQ 5 and 6 both resume";
  return c;
}

QueueShape checked_shape(redis::Client& client, const QueueRef& ref, const std::vector<std::string>& suffixes) {
  return require_bullmq_queue(client, ref, suffixes);
}

std::vector<std::string> read_script_reply(const redis::Reply& reply, const QueueRef& ref,
                                           std::vector<Problem>& problems) {
  if (reply.type != redis::ReplyType::array || reply.elements.empty() ||
      reply.elements[0].type != redis::ReplyType::array) {
    throw unknown_error(fmt::format("queue {}: unexpected reply from an opsctl script", ref.display()));
  }
  for (std::size_t i = 1; i + 1 < reply.elements.size(); i += 2) {
    const std::string& id = reply.elements[i].str;
    problems.push_back({id, ref.job_key(id), "", fmt::format("job {}: {}; skipped", id, reply.elements[i + 1].str)});
  }
  std::vector<std::string> moved;
  for (const auto& e : reply.elements[0].elements) moved.push_back(e.str);
  return moved;
}

}  // namespace opsctl::queue
