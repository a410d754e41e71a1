#include "config_fixtures.h"

TEST_SUITE("config.use_context") {
  TEST_CASE("rewrites only the current-context line, keeping comments, mode, and atomicity") {
    TempDir dir;
    const fs::path p = dir / "config.yaml";
    write_file(p, kFull);
    ::chmod(p.c_str(), 0640);
    use_context(p, "staging");
    std::string expected = kFull;
    expected.replace(expected.find("current-context: prod   # the default"),
                     std::string("current-context: prod   # the default").size(),
                     "current-context: staging   # the default");
    CHECK(read_file(p) == expected);
    CHECK(load_config(p).current_context == "staging");
    CHECK(names_in(dir.path()) == std::vector<std::string>{"config.yaml"});
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
  }

  TEST_CASE("adds a current-context line above the first key when there is none") {
    TempDir dir;
    const fs::path p = dir / "config.yaml";
    write_file(p, "# header\ncontexts:\n  - name: a\n  - name: \"b c\"\n");
    use_context(p, "b c");
    CHECK(read_file(p) == "# header\ncurrent-context: \"b c\"\ncontexts:\n  - name: a\n  - name: \"b c\"\n");
    use_context(p, "a");
    CHECK(read_file(p) == "# header\ncurrent-context: a\ncontexts:\n  - name: a\n  - name: \"b c\"\n");
  }

  TEST_CASE("handles an empty value, quoted values and CRLF line endings") {
    TempDir dir;
    const fs::path p = dir / "config.yaml";
    write_file(p, "current-context: # none yet\ncontexts:\n  - name: a\n");
    use_context(p, "a");
    CHECK(read_file(p) == "current-context: a # none yet\ncontexts:\n  - name: a\n");
    write_file(p, "current-context: 'a'\r\ncontexts:\r\n  - name: a\r\n  - name: b\r\n");
    use_context(p, "b");
    CHECK(read_file(p) == "current-context: b\r\ncontexts:\r\n  - name: a\r\n  - name: b\r\n");
  }

  TEST_CASE("falls back to re-emitting an unusual layout, still correct") {
    TempDir dir;
    const fs::path p = dir / "config.yaml";
    write_file(p, "{current-context: a, contexts: [{name: a}, {name: b, redis: r}]}\n");
    use_context(p, "b");
    const Config cfg = load_config(p);
    CHECK(cfg.current_context == "b");
    REQUIRE(cfg.contexts.size() == 2);
    CHECK(cfg.contexts[1].redis == "r");
    CHECK(names_in(dir.path()) == std::vector<std::string>{"config.yaml"});
  }

  TEST_CASE("an unknown context or a missing file changes nothing") {
    TempDir dir;
    const fs::path p = dir / "config.yaml";
    write_file(p, kFull);
    CHECK_THROWS_WITH_AS(use_context(p, "qa"),
                         (p.string() + ": no context \"qa\" (contexts: prod, staging)").c_str(), opsctl::Error);
    CHECK(read_file(p) == kFull);
    CHECK_THROWS_WITH_AS(use_context(dir / "absent.yaml", "qa"),
                         ((dir / "absent.yaml").string() + ": cannot read config file: no such file").c_str(),
                         opsctl::Error);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"config.yaml"});
  }

  TEST_CASE("writes through a symlink instead of replacing it") {
    TempDir dir;
    write_file(dir / "real.yaml", kFull);
    fs::create_symlink(dir / "real.yaml", dir / "config.yaml");
    use_context(dir / "config.yaml", "staging");
    CHECK(fs::is_symlink(dir / "config.yaml"));
    CHECK(load_config(dir / "real.yaml").current_context == "staging");
  }
}

TEST_SUITE("config.redacted_view") {
  TEST_CASE("shows every setting but no secret") {
    TempDir dir;
    write_file(dir / "config.yaml",
               "current-context: prod\n"
               "contexts:\n"
               "  - name: prod\n"
               "    redis: redis://ops:Hunter2secret@cache:6379/0\n"
               "    redis_password_file: /etc/opsctl/redis.pass\n"
               "    pg: host=db1 user=ops password=Hunter2secret dbname=app\n"
               "    prefix: bull\n"
               "    read_only: true\n"
               "    http:\n"
               "      - name: api\n"
               "        url: https://u:Hunter2secret@api/health\n"
               "        expect_status: 204\n"
               "    thresholds:\n"
               "      warn-wait: 10\n");
    const nlohmann::json view = redacted_view(load_config(dir / "config.yaml"));
    CHECK(view.dump().find("Hunter2secret") == std::string::npos);
    CHECK(view["path"] == (dir / "config.yaml").string());
    CHECK(view["current_context"] == "prod");
    REQUIRE(view["contexts"].size() == 1);
    const nlohmann::json& c = view["contexts"][0];
    CHECK(c["name"] == "prod");
    CHECK(c["redis"] == "redis://ops:***@cache:6379/0");
    CHECK(c["redis_password_file"] == "/etc/opsctl/redis.pass");
    CHECK(c["pg"] == "host=db1 user=ops password=*** dbname=app");
    CHECK(c["prefix"] == "bull");
    CHECK(c["read_only"] == true);
    CHECK(c["confirm"] == false);
    CHECK(c["http"][0]["name"] == "api");
    CHECK(c["http"][0]["expect_status"] == 204);
    CHECK(c["thresholds"]["warn-wait"] == "10");
  }

  TEST_CASE("queue_backend and queue_schema are shown when set, absent otherwise") {
    TempDir dir;
    write_file(dir / "config.yaml",
               "contexts:\n"
               "  - name: pgq\n"
               "    pg: host=db1 user=ops dbname=app\n"
               "    queue_backend: postgres\n"
               "    queue_schema: jobs\n"
               "  - name: plain\n"
               "    redis: redis://cache:6379\n");
    const nlohmann::json view = redacted_view(load_config(dir / "config.yaml"));
    CHECK(view["contexts"][0]["queue_backend"] == "postgres");
    CHECK(view["contexts"][0]["queue_schema"] == "jobs");
    CHECK_FALSE(view["contexts"][1].contains("queue_backend"));
    CHECK_FALSE(view["contexts"][1].contains("queue_schema"));
  }

  TEST_CASE("absent settings are null, a missing file has no contexts") {
    const nlohmann::json view = redacted_view(Config{});
    CHECK(view["current_context"].is_null());
    CHECK(view["exists"] == false);
    CHECK(view["contexts"].empty());
    Config cfg;
    cfg.contexts.emplace_back().name = "a";
    const nlohmann::json one = redacted_view(cfg);
    CHECK(one["contexts"][0]["redis"].is_null());
    CHECK(one["contexts"][0]["pg"].is_null());
    CHECK(one["contexts"][0]["http"].empty());
  }
}
