#pragma once
// Secrets at rest: a file holding a password or a private key that group or others can read gets a
// warning naming it (libpq does the same for ~/.pgpass, and that one is left to libpq). lib/ finds
// the warnings, cmd/ prints them.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>

namespace opsctl::util {

// The warning for a file holding a secret whose permission bits are mode (st_mode): nullopt when
// neither group nor others may read it, else
// "PATH is readable by group or others and holds a secret; chmod 600 PATH".
std::optional<std::string> secret_file_warning(const std::filesystem::path& path, mode_t mode);

// The warnings of one run, each file named once however often it is read.
class SecretFileWarnings {
 public:
  // stat()s path (through symlinks: the file that is read) and returns its warning the first time
  // this run asks about it; nullopt when it is private, was named already, or cannot be stat'ed
  // (its reader reports that).
  std::optional<std::string> check(const std::filesystem::path& path);

 private:
  std::set<std::string> seen_;
};

}  // namespace opsctl::util
