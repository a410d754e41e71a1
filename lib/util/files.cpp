#include "util/files.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <system_error>
#include <utility>

namespace opsctl::util {

std::string errno_text(int err) {
  std::string s = std::error_code(err, std::generic_category()).message();
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::filesystem::path home_dir(const EnvLookup& env) {
  if (auto home = non_empty_env(env, "HOME")) return *home;
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_dir != nullptr) return pw->pw_dir;
  return ".";
}

std::optional<AtomicWriteError> write_file_atomic(const std::filesystem::path& path, std::string_view content,
                                                  const AtomicFileMode& mode) {
  if (!path.has_filename()) return AtomicWriteError{EISDIR, "no file name"};
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  // Hidden, and not ending in the target's extension: a reader that globs *.prom or *.yaml never
  // sees a half-written file.
  std::string temp = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();

  // Owns the temp file until rename succeeds: every early exit closes and removes it.
  struct TempFile {
    std::string name;
    int fd = -1;          // open descriptor, -1 once closed
    bool exists = false;  // on disk under its temp name
    ~TempFile() {
      if (fd >= 0) ::close(fd);
      if (exists) ::unlink(name.c_str());
    }
  } tmp{std::move(temp)};

  tmp.fd = ::mkostemp(tmp.name.data(), O_CLOEXEC);
  if (tmp.fd < 0) return AtomicWriteError{errno, "creating a temp file in " + dir.string()};
  tmp.exists = true;
  for (std::size_t done = 0; done < content.size();) {
    const ssize_t n = ::write(tmp.fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return AtomicWriteError{errno, "writing"};
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(tmp.fd, mode.mode) != 0) return AtomicWriteError{errno, "setting permissions"};
  if (mode.owner && ::fchown(tmp.fd, *mode.owner, mode.group) != 0 && errno != EPERM) {
    return AtomicWriteError{errno, "setting the owner"};
  }
  if (::fsync(tmp.fd) != 0) return AtomicWriteError{errno, "syncing"};
  if (::close(std::exchange(tmp.fd, -1)) != 0) return AtomicWriteError{errno, "closing"};
  if (::rename(tmp.name.c_str(), path.c_str()) != 0) return AtomicWriteError{errno, "renaming the temp file"};
  tmp.exists = false;
  // Make the rename itself durable; a failure here changes nothing for readers, so it is ignored.
  if (const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return std::nullopt;
}

}  // namespace opsctl::util
