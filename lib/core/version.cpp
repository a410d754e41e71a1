#include "core/version.h"

#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include <fmt/format.h>

namespace opsctl {

std::string version() { return OPSCTL_VERSION; }
std::string build_type() { return OPSCTL_BUILD_TYPE; }

nlohmann::json library_versions() {
  int pq = PQlibVersion();  // e.g. 150018 = 15.18
  return {{"hiredis", fmt::format("{}.{}.{}", HIREDIS_MAJOR, HIREDIS_MINOR, HIREDIS_PATCH)},
          {"libpq", fmt::format("{}.{}", pq / 10000, pq % 10000)},
          {"libcurl", curl_version_info(CURLVERSION_NOW)->version},
          {"fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
          {"nlohmann_json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                                        NLOHMANN_JSON_VERSION_PATCH)}};
}

}  // namespace opsctl
