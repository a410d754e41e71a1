#include "config_fixtures.h"

namespace {

Config load(const TempDir& dir, const std::string& text) {
  const fs::path p = dir / "config.yaml";
  write_file(p, text);
  return load_config(p);
}

std::string url_error(const Config& cfg) {
  try {
    redis_url(cfg, cfg.contexts.at(0));
  } catch (const opsctl::Error& e) {
    CHECK(e.code() == opsctl::ExitCode::usage);
    return e.what();
  }
  FAIL("redis_url did not throw");
  return "";
}

}  // namespace

TEST_SUITE("config sentinel fields") {
  TEST_CASE("sentinels, master_name, db and redis_user make the redis+sentinel:// URL") {
    TempDir dir;
    Config cfg = load(dir, "contexts:\n  - name: ha\n    sentinels: [h1:26380, h2, \"[::1]:26381\"]\n"
                           "    master_name: mymaster\n    db: 2\n    redis_user: \"ops team\"\n");
    const Context& c = cfg.contexts.at(0);
    REQUIRE(c.sentinels.size() == 3);
    CHECK(c.sentinels[1].port == 26379);
    CHECK(redis_url(cfg, c) == "redis+sentinel://ops%20team@h1:26380,h2:26379,[::1]:26381/mymaster/2");
    nlohmann::json view = redacted_view(cfg)["contexts"][0];
    CHECK(view["sentinel"] == nlohmann::json{{"sentinels", {"h1:26380", "h2:26379", "[::1]:26381"}},
                                             {"master_name", "mymaster"}, {"db", 2}, {"redis_user", "ops team"}});
  }

  TEST_CASE("a plain redis URL comes back as written; no sentinel block in the view") {
    TempDir dir;
    Config cfg = load(dir, "contexts:\n  - name: a\n    redis: redis://h:6379\n  - name: b\n");
    CHECK(redis_url(cfg, cfg.contexts[0]) == "redis://h:6379");
    CHECK(redis_url(cfg, cfg.contexts[1]) == std::nullopt);
    CHECK_FALSE(redacted_view(cfg)["contexts"][0].contains("sentinel"));
  }

  TEST_CASE("conflicting fields: usage errors naming the file, line and context") {
    TempDir dir;
    const std::string file = (dir / "config.yaml").string();
    CHECK(url_error(load(dir, "contexts:\n  - name: x\n    redis: redis://h\n    sentinels: [h1]\n    master_name: m\n"))
              .rfind(file + ":2: context \"x\" sets both redis and sentinels", 0) == 0);
    CHECK(url_error(load(dir, "contexts:\n  - name: x\n    sentinels: [h1]\n")).find("without master_name") != std::string::npos);
    CHECK(url_error(load(dir, "contexts:\n  - name: x\n    master_name: m\n")).find("without sentinels") != std::string::npos);
    CHECK(url_error(load(dir, "contexts:\n  - name: x\n    redis: redis://h\n    db: 1\n")).find("beside a redis URL") != std::string::npos);
  }

  TEST_CASE("bad values are config errors at their line") {
    TempDir dir;
    CHECK(load_error(dir, "contexts:\n  - name: x\n    sentinels: [h1:99999]\n") ==
          (dir / "config.yaml").string() + ":3: sentinels[0] in context \"x\": bad address 'h1:99999': port '99999' is not a number in 1-65535 (expected host:port)");
    CHECK(load_error(dir, "contexts:\n  - name: x\n    sentinels: h1\n").find("must be a list of host:port") != std::string::npos);
    CHECK(load_error(dir, "contexts:\n  - name: x\n    db: two\n").find("db in context \"x\" must be a database number") != std::string::npos);
    CHECK(load_error(dir, "contexts:\n  - name: x\n    master_name: a/b\n").find("must not hold") != std::string::npos);
    CHECK(load_error(dir, "contexts:\n  - name: x\n    sentinel_password: pw\n").find("sentinel_password_file") != std::string::npos);
  }

  TEST_CASE("holds_secret: passwords written in the file, not references to other files") {
    TempDir dir;
    CHECK(holds_secret(load(dir, "contexts:\n  - name: x\n    redis: redis://:pw@h:6379\n")));
    CHECK(holds_secret(load(dir, "contexts:\n  - name: x\n    pg: \"host=db password=pw\"\n")));
    CHECK(holds_secret(load(dir, "contexts:\n  - name: x\n    redis_checks:\n      - {name: c, url: \"redis://u:pw@h\"}\n")));
    CHECK(holds_secret(load(dir, "contexts:\n  - name: x\n    http:\n      - {name: a, url: \"https://h/\", headers: [\"Authorization: Bearer t\"]}\n")));
    CHECK_FALSE(holds_secret(load(dir, "contexts:\n  - name: x\n    redis: redis://h:6379\n    redis_password_file: /p\n")));
    CHECK_FALSE(holds_secret(load(dir, "contexts:\n  - name: x\n    http:\n      - {name: a, url: \"https://h/\", headers: [\"Authorization: @/f\", \"X-Trace: 1\"]}\n")));
  }
}
