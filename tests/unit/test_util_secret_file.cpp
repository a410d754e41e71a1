#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "temp_dir.h"
#include "util/host_port.h"
#include "util/secret_file.h"

using namespace opsctl::util;
using opsctl_test::TempDir;

TEST_SUITE("util secret_file") {
  TEST_CASE("secret_file_warning: group or others may read -> the warning naming the file and chmod 600") {
    const std::string want = "/etc/opsctl/redis.pass is readable by group or others and holds a secret; chmod 600 /etc/opsctl/redis.pass";
    CHECK(secret_file_warning("/etc/opsctl/redis.pass", S_IFREG | 0644) == want);
    CHECK(secret_file_warning("/etc/opsctl/redis.pass", S_IFREG | 0640) == want);
    CHECK(secret_file_warning("/etc/opsctl/redis.pass", S_IFREG | 0604) == want);
  }

  TEST_CASE("secret_file_warning: the chmod command is quoted for the shell when the path needs it") {
    CHECK(secret_file_warning("/srv/my keys/tls.key", S_IFREG | 0644) ==
          "/srv/my keys/tls.key is readable by group or others and holds a secret; chmod 600 '/srv/my keys/tls.key'");
  }

  TEST_CASE("secret_file_warning: private files say nothing") {
    CHECK(secret_file_warning("k", S_IFREG | 0600) == std::nullopt);
    CHECK(secret_file_warning("k", S_IFREG | 0400) == std::nullopt);
    CHECK(secret_file_warning("k", S_IFREG | 0700) == std::nullopt);
  }

  TEST_CASE("SecretFileWarnings: once per file, nothing for a private or missing one") {
    TempDir dir;
    const auto open = dir / "open.pass";
    const auto closed = dir / "closed.pass";
    std::ofstream(open) << "pw\n";
    std::ofstream(closed) << "pw\n";
    REQUIRE(::chmod(open.c_str(), 0644) == 0);
    REQUIRE(::chmod(closed.c_str(), 0600) == 0);
    SecretFileWarnings w;
    CHECK(w.check(open).has_value());
    CHECK(w.check(open) == std::nullopt);
    CHECK(w.check(closed) == std::nullopt);
    CHECK(w.check(dir / "missing") == std::nullopt);
  }
}

TEST_SUITE("util host_port") {
  TEST_CASE("host, host:port, [v6], [v6]:port") {
    auto p = parse_host_port("h1:26380", 26379);
    CHECK(p.error.empty());
    CHECK(p.value.host == "h1");
    CHECK(p.value.port == 26380);
    p = parse_host_port("h2", 26379);
    CHECK(p.value.port == 26379);
    p = parse_host_port("[::1]:7000", 6379);
    CHECK(p.value.host == "::1");
    CHECK(p.value.port == 7000);
    CHECK(format_host_port(p.value) == "[::1]:7000");
    CHECK(format_host_port({"h", 1}) == "h:1");
  }

  TEST_CASE("malformed addresses say why") {
    CHECK(parse_host_port("h:0", 1).bad_port == "0");
    CHECK(parse_host_port("h:x", 1).error == "port 'x' is not a number in 1-65535");
    CHECK(parse_host_port("[::1", 1).error == "unclosed '['");
    CHECK_FALSE(parse_host_port("[::1]x", 1).error.empty());
  }
}
