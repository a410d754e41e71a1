#pragma once
// Runbook parameters: typed values, `--param key=value` binding, and the argv words of a command
// parameter. Errors are usage errors (exit 64) that name the parameter.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "runbook/model.h"
#include "runbook/template.h"

namespace opsctl::runbook {

// The value of text for p: int -> number, duration -> milliseconds, others -> the string. Checks
// the type (an int, a duration such as 5m, a URL with a scheme, a non-empty path, a command that
// splits into words) and the choices. Throws usage_error "parameter NAME: ...".
nlohmann::json typed_value(const Param& p, const std::string& text);

// Splits a command line into argv words the way a shell splits words, and nothing more: blanks
// separate words, 'single quotes' keep everything, "double quotes" keep everything but \" and \\,
// a backslash outside quotes escapes the next character. No variables, no globs, no $(...), no
// redirection: those characters are plain text. Throws usage_error on an unclosed quote.
std::vector<std::string> split_command(std::string_view text);

// "key=value" -> {key, value}; throws usage_error when there is no '=' or the key is empty.
std::pair<std::string, std::string> parse_param_flag(std::string_view text);

// The scope of a run: params.<name> for given values and defaults (unset optional ones stay out,
// so they read as null). Throws usage_error for an unknown parameter (with a suggestion), a
// repeated one, a missing required one, or a value of the wrong type.
Scope bind_params(const Runbook& rb, const std::vector<std::pair<std::string, std::string>>& given);

}  // namespace opsctl::runbook
