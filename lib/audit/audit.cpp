// The audit log: JSON lines appended with one write(2) on an O_APPEND descriptor, so concurrent opsctl
// runs never interleave inside a line, and fsync'd before the mutation it announces may run.
#include "audit/audit.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <ctime>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "util/files.h"
#include "util/redact.h"
#include "util/text.h"

namespace opsctl::audit {
namespace {

// mkdir -p with mode 0700 for the directories it creates; 0 or an errno.
int make_dirs(const std::filesystem::path& dir) {
  if (dir.empty()) return 0;
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) return 0;  // not a directory: open() below reports ENOTDIR
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    if (const int err = make_dirs(dir.parent_path()); err != 0) return err;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return errno;
  return 0;
}

}  // namespace

Identity identify(const util::EnvLookup& env) {
  Identity who;
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
      found->pw_name != nullptr && *found->pw_name != '\0') {
    who.user = found->pw_name;
  } else {
    who.user = util::non_empty_env(env, "USER").value_or(fmt::format("uid:{}", ::geteuid()));
  }
  char host[HOST_NAME_MAX + 1] = {};
  who.host = ::gethostname(host, sizeof host - 1) == 0 ? host : "unknown";
  who.sudo_user = util::non_empty_env(env, "SUDO_USER").value_or("");
  return who;
}

std::filesystem::path default_audit_path(const util::EnvLookup& env) {
  // XDG: a relative XDG_STATE_HOME is invalid and ignored.
  if (auto xdg = util::non_empty_env(env, "XDG_STATE_HOME"); xdg && (*xdg)[0] == '/') {
    return std::filesystem::path(*xdg) / "opsctl" / "audit.jsonl";
  }
  return util::home_dir(env) / ".local" / "state" / "opsctl" / "audit.jsonl";
}

nlohmann::json to_json(const Record& r, std::int64_t now_epoch_ms) {
  nlohmann::json j = {
      {"time", util::iso8601_utc(now_epoch_ms)},
      {"user", r.who.user},
      {"host", r.who.host},
      {"context", r.context},
      {"command_line", util::redact(r.command_line)},
      {"target", util::redact(r.target)},
      {"action", r.action},
      {"selection", util::redact(r.selection)},
      {"matched", r.matched},
      {"changed", r.changed},
      {"dry_run", r.dry_run},
      {"result", util::redact(r.result)},
  };
  // Who really ran it when the effective user is root through sudo.
  if (!r.who.sudo_user.empty()) j["sudo_user"] = r.who.sudo_user;
  return j;
}

std::string try_append(const std::filesystem::path& path, const Record& r) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  // replace: argv may hold invalid UTF-8, which must not stop the audit line.
  const std::string line =
      to_json(r, now).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
  return append_line(path, line);
}

std::string append_line(const std::filesystem::path& path, const std::string& line) {
  if (const int err = make_dirs(path.parent_path()); err != 0) return util::errno_text(err);
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return util::errno_text(errno);
  ssize_t n = 0;
  do {
    n = ::write(fd, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  int err = n < 0 ? errno : 0;
  if (err == 0 && static_cast<std::size_t>(n) != line.size()) {
    ::close(fd);
    return fmt::format("short write ({} of {} bytes)", n, line.size());
  }
  // EINVAL: a special file such as /dev/null that cannot be synced; the write already went through.
  if (err == 0 && ::fsync(fd) != 0 && errno != EINVAL) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  return err != 0 ? util::errno_text(err) : std::string();
}

void append(const std::filesystem::path& path, const Record& r) {
  if (const std::string cause = try_append(path, r); !cause.empty()) {
    throw refused_error(fmt::format("audit log {}: {}: mutation not performed", path.string(), cause));
  }
}

void check_writable(const std::filesystem::path& path) {
  auto fail = [&](const std::string& cause) {
    return refused_error(fmt::format("audit log {}: {}: mutation not performed", path.string(), cause));
  };
  if (const int err = make_dirs(path.parent_path()); err != 0) throw fail(util::errno_text(err));
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw fail(util::errno_text(errno));
  ::close(fd);
}

void guard_read_only(bool read_only, const std::string& context, const std::string& action) {
  if (read_only) throw refused_error(fmt::format("context {} is read_only: {} refused", context, action));
}

}  // namespace opsctl::audit
