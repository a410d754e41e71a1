#include <doctest/doctest.h>

#include <string>

#include "util/redact.h"

using opsctl::util::redact;

TEST_SUITE("redact") {
  TEST_CASE("URL userinfo passwords") {
    CHECK(redact("redis://user:pw@h") == "redis://user:***@h");
    CHECK(redact("rediss://:pw@h:6380/2") == "rediss://:***@h:6380/2");
    CHECK(redact("postgres://app:s3cr3t@db1:5432/orders") == "postgres://app:***@db1:5432/orders");
    CHECK(redact("postgresql://app:s3cr3t@db1/orders") == "postgresql://app:***@db1/orders");
    CHECK(redact("http://u:pw@example.com/health") == "http://u:***@example.com/health");
    CHECK(redact("https://u:pw@example.com:8443/") == "https://u:***@example.com:8443/");
    CHECK(redact("redis://default:pw@[::1]:6379") == "redis://default:***@[::1]:6379");
  }

  TEST_CASE("URLs without a password are unchanged") {
    CHECK(redact("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0");
    CHECK(redact("redis://user@h:6379") == "redis://user@h:6379");
    CHECK(redact("unix:///run/redis/redis.sock?db=2") == "unix:///run/redis/redis.sock?db=2");
    CHECK(redact("https://example.com/health?x=1") == "https://example.com/health?x=1");
    CHECK(redact("postgres://u:@h/db") == "postgres://u:@h/db");  // empty password: nothing to hide
  }

  TEST_CASE("a password holding '@' is hidden up to the last '@'") {
    CHECK(redact("redis://u:p@ss@host:6379") == "redis://u:***@host:6379");
    CHECK(redact("redis://:a@b@c@host/0") == "redis://:***@host/0");
  }

  TEST_CASE("a password holding raw URL delimiters is hidden whole") {
    CHECK(redact("redis://:ab/cd+ef==@host:6379") == "redis://:***@host:6379");
    CHECK(redact("redis://u:a?b#c@host") == "redis://u:***@host");
    CHECK(redact("redis://u:a:b@host") == "redis://u:***@host");
  }

  TEST_CASE("every URL in a string") {
    CHECK(redact("from redis://a:p1@h1 to redis://b:p2@h2") == "from redis://a:***@h1 to redis://b:***@h2");
    CHECK(redact("opsctl: redis redis://u:pw@10.0.0.1:6379: connection refused") ==
          "opsctl: redis redis://u:***@10.0.0.1:6379: connection refused");
    const std::string joined = redact("redis://a:p1@h1,redis://b:p2@h2");
    CHECK(joined.find("p1") == std::string::npos);
    CHECK(joined.find("p2") == std::string::npos);
  }

  TEST_CASE("URLs inside JSON and quotes keep their delimiters") {
    CHECK(redact(R"({"target":"redis://u:pw@h:6379","user":"bob@corp"})") ==
          R"({"target":"redis://u:***@h:6379","user":"bob@corp"})");
    CHECK(redact("<https://u:pw@h/>") == "<https://u:***@h/>");
    CHECK(redact("'postgres://u:pw@h/db'") == "'postgres://u:***@h/db'");
  }

  TEST_CASE("conninfo key=value secrets") {
    CHECK(redact("host=db1 user=app password=s3cr3t dbname=orders") ==
          "host=db1 user=app password=*** dbname=orders");
    CHECK(redact("PASSWORD=x host=h") == "PASSWORD=*** host=h");
    CHECK(redact("Password=x") == "Password=***");
    CHECK(redact("passwd=x pass=y pwd=z") == "passwd=*** pass=*** pwd=***");
    CHECK(redact("sslpassword=k sslmode=verify-full") == "sslpassword=*** sslmode=verify-full");
    CHECK(redact("PGPASSWORD=x psql") == "PGPASSWORD=*** psql");
    CHECK(redact("--password=x") == "--password=***");
    CHECK(redact("password = x host=h") == "password = *** host=h");
    CHECK(redact("host=h password=a\\ b user=u") == "host=h password=*** user=u");
  }

  TEST_CASE("quoted conninfo values, escaped quotes included") {
    CHECK(redact("host=h password='a b c' user=u") == "host=h password='***' user=u");
    CHECK(redact(R"(password='a \' b' user=u)") == "password='***' user=u");
    CHECK(redact(R"(password='a \\' user=u)") == "password='***' user=u");
    CHECK(redact(R"(password="a b" user=u)") == R"(password="***" user=u)");
    CHECK(redact("password='never closed user=u") == "password='***");
    CHECK(redact("password='' user=u") == "password='' user=u");
  }

  TEST_CASE("query string secrets") {
    CHECK(redact("postgres://h/db?sslmode=require&password=x") ==
          "postgres://h/db?sslmode=require&password=***");
    CHECK(redact("postgres://h/db?password=x&sslmode=require") ==
          "postgres://h/db?password=***&sslmode=require");
    CHECK(redact("redis://h?password=p@ss&db=1") == "redis://h?password=***&db=1");
    CHECK(redact("postgres://u:pw@h/db?password=x#frag") == "postgres://u:***@h/db?password=***#frag");
  }

  TEST_CASE("text without secrets is unchanged") {
    for (const std::string text : {
             "", "queue=emails state=failed count=12", "mail ops@example.com about it",
             "compass=north bypass=1", "password", "passwords are never logged", "a=b=c",
             "ERR wrong number of arguments", "tcp://10.0.0.1:6379", "ünïcödé text \xff\xfe binary",
             "https://example.com:8443/health", "redis://u:***@h", "password=***"}) {
      CHECK(redact(text) == text);
    }
  }

  TEST_CASE("redacting twice changes nothing more") {
    const std::string once = redact("redis://u:p@ss@h password='x y' ?pwd=z");
    CHECK(redact(once) == once);
    CHECK(once == "redis://u:***@h password='***' ?pwd=***");
  }

  TEST_CASE("never throws on hostile input") {
    const std::string nul("password=\0secret", 16);
    CHECK_NOTHROW(redact(nul));
    CHECK(redact(nul).find("secret") == std::string::npos);
    CHECK_NOTHROW(redact("://@:"));
    CHECK_NOTHROW(redact("password="));
    CHECK_NOTHROW(redact("password='\\"));
    CHECK_NOTHROW(redact(std::string(100'000, '@') + "://" + std::string(100'000, ':')));
    CHECK(redact("password=") == "password=");
    CHECK(redact("x://:@") == "x://:@");
    CHECK(redact("://a:b@") == "://a:***@");
  }
}
