#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "temp_dir.h"
#include "util/files.h"

namespace fs = std::filesystem;
using namespace opsctl::util;
using opsctl_test::TempDir;

namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_SUITE("util files") {
  TEST_CASE("errno_text is lower-case words") {
    CHECK(errno_text(ENOENT) == "no such file or directory");
    CHECK(errno_text(EACCES) == "permission denied");
  }

  TEST_CASE("home_dir: HOME from the caller's environment, else the password database") {
    CHECK(home_dir(fake_env({{"HOME", "/home/oncall"}})) == fs::path("/home/oncall"));
    CHECK_FALSE(home_dir(fake_env({{"HOME", ""}})).empty());
    CHECK_FALSE(home_dir({}).empty());
    CHECK(non_empty_env(fake_env({{"A", ""}}), "A") == std::nullopt);
    CHECK(non_empty_env({}, "A") == std::nullopt);
  }

  TEST_CASE("write_file_atomic keeps the mode asked for and leaves no temp file") {
    TempDir dir;
    const fs::path target = dir / "config.yaml";
    REQUIRE_FALSE(write_file_atomic(target, "a: 1\n", {0600, std::nullopt, 0}).has_value());
    CHECK(read_all(target) == "a: 1\n");
    struct stat st {};
    REQUIRE(::stat(target.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE_FALSE(write_file_atomic(target, "a: 2\n").has_value());
    CHECK(read_all(target) == "a: 2\n");
    REQUIRE(::stat(target.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
  }

  TEST_CASE("write_file_atomic names the errno and the step that failed") {
    TempDir dir;
    auto e = write_file_atomic(dir / "missing/config.yaml", "x");
    REQUIRE(e.has_value());
    CHECK(e->err == ENOENT);
    CHECK(e->step.rfind("creating a temp file in ", 0) == 0);
    fs::create_directory(dir / "taken");
    e = write_file_atomic(dir / "taken", "x");
    REQUIRE(e.has_value());
    CHECK(e->step == "renaming the temp file");
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
  }
}
