#pragma once
// Output formats of opsctl(1) (-o, MONITORING OUTPUTS) and the pieces each one is built from. Pure functions that
// return strings: lib/ never writes to stdout, cmd/ decides where the text goes.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace opsctl::output {

enum class Format { text, json, nagios, prom };

// "text", "json", "nagios", "prom"; throws usage_error listing the valid names otherwise.
Format parse_format(std::string_view name);

// Exactly one JSON document, pretty-printed, newline-terminated. Invalid UTF-8 in strings is
// replaced (U+FFFD), never thrown: binary job data must not crash `-o json`.
std::string json_document(const nlohmann::json& doc);

// ANSI colour for a status word when color is true (green/yellow/red/magenta), plain text otherwise.
std::string colorize(Status s, std::string_view text, bool color);
std::string bold(std::string_view text, bool color);

}  // namespace opsctl::output
