// file.read and file.write (atomic: temp file, fsync, rename; the previous content is a finding, so a
// rollback step can put it back).
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "output/monitoring.h"
#include "runbook/actions.h"
#include "util/text.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

constexpr std::int64_t write_limit = 16 << 20;

// The file's content, or nullopt when it does not exist. Throws Error(critical) naming the path.
std::optional<std::string> read_file(const std::string& path, std::int64_t max_bytes, bool& truncated) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == ENOENT) return std::nullopt;
    throw critical_error(fmt::format("cannot read {}: {}", path, std::strerror(err)));
  }
  std::string data(static_cast<std::size_t>(max_bytes) + 1, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  if (in.bad()) throw critical_error(fmt::format("cannot read {}: read error", path));
  data.resize(static_cast<std::size_t>(in.gcount()));
  truncated = static_cast<std::int64_t>(data.size()) > max_bytes;
  if (truncated) data.resize(static_cast<std::size_t>(max_bytes));
  return data;
}

std::string trim(std::string s) {
  const char* blanks = " \t\r\n";
  s.erase(0, s.find_first_not_of(blanks) == std::string::npos ? s.size() : s.find_first_not_of(blanks));
  s.erase(s.find_last_not_of(blanks) + 1);
  return s;
}

ActionResult file_read(const Args& a, ActionContext&, DryRun) {
  std::string path = a.str("path");
  std::int64_t max = a.integer_or("max_bytes", 64 << 10);
  if (max < 1 || max > write_limit) throw a.error("max_bytes", fmt::format("must be between 1 and {}", write_limit));
  bool truncated = false;
  auto content = read_file(path, max, truncated);
  if (!content && !a.boolean_or("missing_ok", false)) {
    throw critical_error(fmt::format("cannot read {}: no such file", path));
  }
  ActionResult out;
  out.target = path;
  std::string text = content ? (a.boolean_or("trim", true) ? trim(*content) : *content) : "";
  if (truncated) text = util::truncate_utf8(text, text.size() > 3 ? text.size() - 3 : 0);  // a cut character
  if (!util::is_valid_utf8(text)) throw critical_error(fmt::format("{} holds binary data, not text", path));
  out.summary = content ? fmt::format("{}: {} bytes", path, content->size()) : fmt::format("{}: no such file", path);
  out.findings = {{"path", path},
                  {"exists", content.has_value()},
                  {"content", text},
                  {"size", content ? static_cast<std::int64_t>(content->size()) : 0},
                  {"truncated", truncated}};
  return out;
}

ActionResult file_write(const Args& a, ActionContext&, DryRun dry) {
  std::string path = a.str("path");
  const json& c = a.raw("content");
  if (!c.is_string()) throw a.error("content", "is required and must be text");
  std::string content = c.get<std::string>();
  bool truncated = false;
  auto previous = read_file(path, write_limit, truncated);
  if (truncated) throw critical_error(fmt::format("{} is larger than 16 MiB: refusing to replace it", path));
  ActionResult out;
  out.target = path;
  out.planned = previous && *previous == content ? 0 : 1;
  out.summary = out.planned == 0 ? fmt::format("{} already holds this content", path)
                                 : fmt::format("write {} bytes to {} atomically{}", content.size(), path,
                                               previous ? fmt::format(" (was {} bytes)", previous->size()) : " (new file)");
  if (dry == DryRun::no && out.planned > 0) {
    output::write_file_atomic(path, content);
    out.changed = 1;
  }
  out.findings = {{"path", path},
                  {"bytes", static_cast<std::int64_t>(content.size())},
                  {"existed", previous.has_value()},
                  {"previous", previous ? json(*previous) : json(nullptr)},
                  {"changed", out.changed}};
  return out;
}

}  // namespace

void add_file(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"file.read", "read a small text file", Effect::reads,
           {{"path", V::string, true, "file to read"},
            {"trim", V::boolean, false, "strip blanks and newlines at both ends (default true)"},
            {"max_bytes", V::integer, false, "read at most this much (default 65536)"},
            {"missing_ok", V::boolean, false, "a missing file is not an error (default false)"}},
           {{"path", V::string, "the file"},
            {"exists", V::boolean, "the file exists"},
            {"content", V::string, "its text (trimmed unless trim is false)"},
            {"size", V::integer, "its size in bytes"},
            {"truncated", V::boolean, "it was longer than max_bytes"}},
           file_read});
  reg.add({"file.write", "replace a file atomically (temp file, fsync, rename)", Effect::changes,
           {{"path", V::string, true, "file to write"}, {"content", V::string, true, "its new content"}},
           {{"path", V::string, "the file"},
            {"bytes", V::integer, "bytes written"},
            {"existed", V::boolean, "the file existed before"},
            {"previous", V::string, "its content before (null when it did not exist)"},
            {"changed", V::integer, "1 when the file was replaced"}},
           file_write});
}

}  // namespace opsctl::runbook::actions
