#pragma once
// Internals shared by the config sources (config_parse.cpp, config.cpp, config_write.cpp); not for callers
// outside lib/config.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace opsctl::config::detail {

// The whole file as text; nullopt when it does not exist (ENOENT). Throws config_error
// "<path>: cannot read <what>: <cause>" when it exists but cannot be read (a directory, permissions).
std::optional<std::string> read_text_file(const std::filesystem::path& path, std::string_view what);

// Parses and validates config text; path only names the file in errors and in the result.
// Throws config_error "<path>:<line>: <what is wrong>".
Config parse_config(const std::string& text, const std::filesystem::path& path);

// "contexts: a, b" or "no contexts are defined", for "no context X" errors.
std::string context_names(const Config& cfg);

}  // namespace opsctl::config::detail
