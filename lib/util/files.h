#pragma once
// File-system helpers shared by every layer: errno in words, the home directory, atomic replacement.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "util/env.h"

namespace opsctl::util {

// errno as lower-case words for messages: "permission denied".
std::string errno_text(int err);

// $HOME when set and not empty, else the password database's entry for the effective user, else ".".
std::filesystem::path home_dir(const EnvLookup& env);

// How write_file_atomic sets the new file up before it replaces the old one.
struct AtomicFileMode {
  mode_t mode = 0644;            // permission bits of the new file (mkstemp would leave 0600)
  std::optional<uid_t> owner;    // chown to this owner and group when set (EPERM is ignored: not root)
  gid_t group = 0;
};

// Why write_file_atomic failed: the errno and the step that failed ("writing", "renaming the temp file").
struct AtomicWriteError {
  int err = 0;
  std::string step;
};

// Replaces path with content atomically: a hidden temp file in the same directory (rename() is only
// atomic within one file system), written, chmod'ed, fsync'ed, renamed over path, then the directory
// fsync'ed. Returns nullopt on success; on failure no temp file is left behind and path is unchanged.
std::optional<AtomicWriteError> write_file_atomic(const std::filesystem::path& path, std::string_view content,
                                                  const AtomicFileMode& mode = {});

}  // namespace opsctl::util
