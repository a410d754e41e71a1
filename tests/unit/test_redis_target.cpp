#include <doctest/doctest.h>

#include "core/error.h"
#include "redis/target.h"

using opsctl::redis::parse_target;

TEST_SUITE("redis.target") {
  TEST_CASE("defaults: localhost, 6379, db 0, no password") {
    auto t = parse_target("redis://");
    CHECK(t.host == "127.0.0.1");
    CHECK(t.port == 6379);
    CHECK(t.db == 0);
    CHECK_FALSE(t.password.has_value());
    CHECK_FALSE(t.password_in_url);
  }

  TEST_CASE("host, port and db") {
    auto t = parse_target("redis://cache.internal:6380/2");
    CHECK(t.host == "cache.internal");
    CHECK(t.port == 6380);
    CHECK(t.db == 2);
    CHECK(t.display() == "cache.internal:6380/2");
  }

  TEST_CASE("password only, user and password, percent-escapes, '@' inside the password") {
    auto a = parse_target("redis://:s3cret@h:1");
    CHECK(a.user.empty());
    CHECK(a.password == "s3cret");
    CHECK(a.password_in_url);
    auto b = parse_target("redis://ops:p%40ss%3Aw@h");
    CHECK(b.user == "ops");
    CHECK(b.password == "p@ss:w");
    auto c = parse_target("redis://ops:p@ss@h:7000");
    CHECK(c.password == "p@ss");
    CHECK(c.host == "h");
    CHECK(c.port == 7000);
  }

  TEST_CASE("display never shows the password") {
    auto t = parse_target("redis://ops:topsecret@h:6379/1");
    CHECK(t.display() == "ops@h:6379/1");
    CHECK(t.display().find("topsecret") == std::string::npos);
  }

  TEST_CASE("user without password is an ACL user name only") {
    auto t = parse_target("redis://reader@h");
    CHECK(t.user == "reader");
    CHECK_FALSE(t.password.has_value());
  }

  TEST_CASE("IPv6 literal") {
    auto t = parse_target("redis://[::1]:6390");
    CHECK(t.host == "::1");
    CHECK(t.port == 6390);
    CHECK(t.display() == "[::1]:6390");
  }

  TEST_CASE("unix socket with optional db") {
    auto t = parse_target("unix:///run/redis/redis.sock?db=3");
    CHECK(t.unix_path == "/run/redis/redis.sock");
    CHECK(t.db == 3);
    CHECK(t.display() == "unix:///run/redis/redis.sock?db=3");
  }

  TEST_CASE("rediss:// is TLS to the same host, port, user and db; display says so") {
    auto t = parse_target("rediss://ops:s3cret@cache.internal:6380/2");
    CHECK(t.tls.enabled);
    CHECK_FALSE(t.tls.insecure);
    CHECK(t.host == "cache.internal");
    CHECK(t.port == 6380);
    CHECK(t.user == "ops");
    CHECK(t.password == std::optional<std::string>("s3cret"));
    CHECK(t.db == 2);
    CHECK(t.display() == "rediss://ops@cache.internal:6380/2");
    CHECK_FALSE(parse_target("redis://h").tls.enabled);
    CHECK(parse_target("rediss://h").port == 6379);
  }

  TEST_CASE("redis+sentinel://: the sentinels, the master name, the db; the master's password from the userinfo") {
    auto t = parse_target("redis+sentinel://ops:s3cret@10.0.0.1:26379,10.0.0.2,[::1]:26380/mymaster/3");
    REQUIRE(t.sentinel.nodes.size() == 3);
    CHECK(t.sentinel.nodes[0].host == "10.0.0.1");
    CHECK(t.sentinel.nodes[0].port == 26379);
    CHECK(t.sentinel.nodes[1].host == "10.0.0.2");
    CHECK(t.sentinel.nodes[1].port == 26379);
    CHECK(t.sentinel.nodes[2].host == "::1");
    CHECK(t.sentinel.nodes[2].port == 26380);
    CHECK(t.sentinel.master_name == "mymaster");
    CHECK(t.db == 3);
    CHECK(t.user == "ops");
    CHECK(t.password == std::optional<std::string>("s3cret"));
    CHECK(t.host.empty());  // the sentinels say
    CHECK_FALSE(t.tls.enabled);
    CHECK(t.display() == "master mymaster db 3 as ops (sentinels 10.0.0.1:26379,10.0.0.2:26379,[::1]:26380)");
    t.host = "10.0.0.9";
    t.port = 6379;
    CHECK(t.display() == "master mymaster at 10.0.0.9:6379 db 3 as ops (sentinels 10.0.0.1:26379,10.0.0.2:26379,[::1]:26380)");
    auto s = parse_target("rediss+sentinel://h1/m");
    CHECK(s.tls.enabled);
    CHECK(s.sentinel.master_name == "m");
    CHECK(s.db == 0);
    for (const char* bad : {"redis+sentinel://h1", "redis+sentinel://h1/", "redis+sentinel://:pw@h1:0/m",
                            "redis+sentinel://h1/m/x"}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(parse_target(bad), opsctl::Error);
    }
  }

  TEST_CASE("malformed URLs are usage errors that do not leak the password") {
    for (const char* bad : {"http://h", "h:6379", "redis://h:0", "redis://h:70000", "redis://h:abc", "redis://h/x",
                            "redis://:pw@h:99999", "unix://relative.sock", "rediss://:pw@h:99999", "redis://:%zz@h"}) {
      CAPTURE(bad);
      try {
        parse_target(bad);
        FAIL("no error");
      } catch (const opsctl::Error& e) {
        CHECK(e.code() == opsctl::ExitCode::usage);
        CHECK(std::string(e.what()).find(":pw@") == std::string::npos);
      }
    }
  }
}
