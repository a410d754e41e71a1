#pragma once
// Version of opsctl (git describe at configure time) and of the libraries it links.
#include <string>

#include <nlohmann/json.hpp>

namespace opsctl {

std::string version();
std::string build_type();
// {"hiredis": "0.14.1", "libpq": "15.x", "fmt": ..., "nlohmann_json": ..., "yaml-cpp": ..., "curl": ...}
nlohmann::json library_versions();

}  // namespace opsctl
