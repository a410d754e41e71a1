#pragma once
// Shared fixtures of the config unit tests: temp dirs, file helpers, a full example file.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/error.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using namespace opsctl::config;

namespace config_test {

using opsctl_test::TempDir;

inline void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The message of the config_error that loading text throws; fails the test when it does not throw.
inline std::string load_error(const TempDir& dir, const std::string& text) {
  const fs::path p = dir / "config.yaml";
  write_file(p, text);
  try {
    load_config(p);
  } catch (const opsctl::Error& e) {
    CHECK(e.code() == opsctl::ExitCode::config);
    return e.what();
  }
  FAIL("load_config did not throw for:\n" << text);
  return "";
}

// Every file in dir, to prove no temp file is left behind.
inline std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  return names;
}

const char* const kFull = R"(# opsctl config, edited by hand
current-context: prod   # the default
contexts:
  - name: prod
    redis: redis://cache.internal:6379/0
    redis_password_file: /etc/opsctl/redis.pass
    pg: "host=db1 dbname=app user=ops"
    prefix: "{bull}"
    read_only: true
    confirm: yes
    http:
      - name: api
        url: https://api.internal/health
        expect_status: 200
        expect_body: ok
      - name: web
        url: https://web.internal/
    thresholds:
      warn-wait: 100
      --crit-wait: 1000
      long: 5m
  # staging is where we try things
  - name: staging
    redis: redis://staging:6379
)";

}  // namespace config_test
using namespace config_test;
