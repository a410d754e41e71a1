#include "util/secret_file.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "util/text.h"

namespace opsctl::util {

std::optional<std::string> secret_file_warning(const std::filesystem::path& path, mode_t mode) {
  if ((mode & (S_IRGRP | S_IROTH)) == 0) return std::nullopt;
  // The command is quoted for the shell, so it can be copied as it is even when the path has spaces.
  return fmt::format("{} is readable by group or others and holds a secret; chmod 600 {}", path.string(),
                     shell_quote(path.string()));
}

std::optional<std::string> SecretFileWarnings::check(const std::filesystem::path& path) {
  if (path.empty() || seen_.count(path.string()) != 0) return std::nullopt;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  std::optional<std::string> warning = secret_file_warning(path, st.st_mode);
  if (warning) seen_.insert(path.string());
  return warning;
}

}  // namespace opsctl::util
