#include "config_fixtures.h"
#include "cmd/io.h"
TEST_SUITE("config") {
  TEST_CASE("a full valid file loads every field") {
    TempDir dir;
    write_file(dir / "config.yaml", kFull);
    const Config cfg = load_config(dir / "config.yaml");
    CHECK(cfg.exists);
    CHECK(cfg.path == dir / "config.yaml");
    CHECK(cfg.current_context == "prod");
    REQUIRE(cfg.contexts.size() == 2);
    const Context& p = cfg.contexts[0];
    CHECK(p.name == "prod");
    CHECK(p.line == 4);
    CHECK(p.redis == "redis://cache.internal:6379/0");
    CHECK(p.redis_password_file == "/etc/opsctl/redis.pass");
    CHECK(p.pg == "host=db1 dbname=app user=ops");
    CHECK(p.prefix == "{bull}");
    CHECK(p.read_only);
    CHECK(p.confirm);
    REQUIRE(p.http.size() == 2);
    CHECK(p.http[0].name == "api");
    CHECK(p.http[0].url == "https://api.internal/health");
    CHECK(p.http[0].expect_status == 200);
    CHECK(p.http[0].expect_body == "ok");
    CHECK(p.http[1].expect_status == 0);
    CHECK(p.http[1].expect_body.empty());
    CHECK(p.thresholds ==
          std::map<std::string, std::string>{{"warn-wait", "100"}, {"crit-wait", "1000"}, {"long", "5m"}});
    const Context& s = cfg.contexts[1];
    CHECK(s.line == 23);
    CHECK(s.redis == "redis://staging:6379");
    CHECK_FALSE(s.pg.has_value());
    CHECK_FALSE(s.prefix.has_value());
    CHECK_FALSE(s.read_only);
    CHECK(cfg.find("staging") == &cfg.contexts[1]);
    CHECK(cfg.find("nope") == nullptr);
  }

  TEST_CASE("a missing file is an empty config unless required") {
    TempDir dir;
    const Config cfg = load_config(dir / "absent.yaml");
    CHECK_FALSE(cfg.exists);
    CHECK(cfg.contexts.empty());
    CHECK(cfg.current_context.empty());
    CHECK(cfg.path == dir / "absent.yaml");
    CHECK_THROWS_WITH_AS(load_config(dir / "absent.yaml", true),
                         ((dir / "absent.yaml").string() + ": cannot read config file: no such file").c_str(),
                         opsctl::Error);
  }

  TEST_CASE("an empty file or one with only comments is an empty config") {
    TempDir dir;
    write_file(dir / "config.yaml", "# nothing yet\n");
    const Config cfg = load_config(dir / "config.yaml");
    CHECK(cfg.exists);
    CHECK(cfg.contexts.empty());
  }

  TEST_CASE("malformed YAML names the line") {
    TempDir dir;
    const std::string file = (dir / "config.yaml").string();
    const std::string msg = load_error(dir, "contexts:\n  - name: a\n    redis: [x\n    pg: y\n");
    CHECK(msg.rfind(file + ":4: invalid YAML: ", 0) == 0);
    CHECK(load_error(dir, "current-context: a\n  contexts: b\n").rfind(file + ":2: invalid YAML: ", 0) == 0);
  }

  TEST_CASE("wrong types name the line and the field") {
    TempDir dir;
    const std::string f = (dir / "config.yaml").string();
    CHECK(load_error(dir, "contexts:\n  - name: a\n    redis:\n      - x\n") ==
          f + ":4: redis in context \"a\" must be a string, not a list");
    CHECK(load_error(dir, "contexts:\n  - name: a\n    pg: {host: x}\n") ==
          f + ":3: pg in context \"a\" must be a string, not a map");
    CHECK(load_error(dir, "contexts:\n  - name: a\n\n    read_only: maybe\n") ==
          f + ":4: read_only in context \"a\" must be true or false");
    CHECK(load_error(dir, "contexts:\n  - name: a\n    confirm:\n") ==
          f + ":3: confirm in context \"a\" must be true or false");
    CHECK(load_error(dir, "contexts:\n  - name: a\n    prefix: \"\"\n") ==
          f + ":3: prefix in context \"a\" must not be empty");
    CHECK(load_error(dir, "contexts: prod\n") == f + ":1: contexts must be a list, not a scalar");
    CHECK(load_error(dir, "contexts:\n  - prod\n") == f + ":2: contexts[0] must be a map, not a scalar");
    CHECK(load_error(dir, "contexts:\n  - redis: r\n") == f + ":2: contexts[0] has no name");
    CHECK(load_error(dir, "contexts:\n  - name: a\n    http: {name: x}\n") ==
          f + ":3: http in context \"a\" must be a list, not a map");
    CHECK(load_error(dir, "contexts:\n  - name: a\n    http:\n      - name: x\n") ==
          f + ":4: http[0] in context \"a\" has no url");
    CHECK(load_error(dir, "contexts:\n  - name: a\n    http:\n      - name: x\n        url: u\n"
                          "        expect_status: ok\n") ==
          f + ":6: expect_status of http[0] in context \"a\" must be an HTTP status code (100-599)");
    CHECK(load_error(dir, "contexts:\n  - name: a\n    thresholds: [1]\n") ==
          f + ":3: thresholds in context \"a\" must be a map, not a list");
    CHECK(load_error(dir, "contexts:\n  - name: a\n    thresholds:\n      warn-wait: [1]\n") ==
          f + ":4: threshold warn-wait in context \"a\" must be a string, not a list");
    CHECK(load_error(dir, "- a\n- b\n") ==
          f + ":1: the file must be a map of current-context, contexts, not a list");
  }

  TEST_CASE("unknown and repeated keys name the key and the line") {
    TempDir dir;
    const std::string f = (dir / "config.yaml").string();
    const std::string msg = load_error(dir, "contexts:\n  - name: prod\n    redsi: redis://x\n");
    CHECK(msg.rfind(f + ":3: unknown key \"redsi\" in context \"prod\" (allowed: name, redis,", 0) == 0);
    CHECK(load_error(dir, "current_context: a\n")
              .rfind(f + ":1: unknown key \"current_context\" at the top level", 0) == 0);
    CHECK(load_error(dir, "contexts:\n  - name: a\n    http:\n      - {name: x, url: u, method: GET}\n")
              .rfind(f + ":4: unknown key \"method\" in http[0] in context \"a\"", 0) == 0);
    CHECK(load_error(dir, "contexts:\n  - name: a\n    redis: r1\n    redis: r2\n") ==
          f + ":4: duplicate key \"redis\" in context \"a\" (first at line 3)");
  }

  TEST_CASE("a duplicate context name names both lines") {
    TempDir dir;
    const std::string f = (dir / "config.yaml").string();
    CHECK(load_error(dir, "contexts:\n  - name: a\n  - name: b\n  - name: a\n    redis: r\n") ==
          f + ":4: duplicate context name \"a\" (first at line 2)");
  }

  TEST_CASE("a current-context naming no context is an error at its line") {
    TempDir dir;
    const std::string f = (dir / "config.yaml").string();
    CHECK(load_error(dir, "contexts:\n  - name: a\n  - name: b\ncurrent-context: c\n") ==
          f + ":4: current-context \"c\" names no context (contexts: a, b)");
    CHECK(load_error(dir, "current-context: c\n") ==
          f + ":1: current-context \"c\" names no context (no contexts are defined)");
  }

  TEST_CASE("an unreadable file is a config error naming the file, even for root") {
    TempDir dir;
    fs::create_directory(dir / "config.yaml");  // a directory cannot be read as a file, whoever you are
    CHECK_THROWS_WITH_AS(load_config(dir / "config.yaml"),
                         ((dir / "config.yaml").string() + ": cannot read config file: it is a directory").c_str(),
                         opsctl::Error);
    write_file(dir / "plain", "x");  // a path through a regular file: ENOTDIR, not "missing"
    const fs::path through_file = dir / "plain" / "config.yaml";
    CHECK_THROWS_WITH_AS(load_config(through_file),
                         (through_file.string() + ": cannot read config file: not a directory").c_str(), opsctl::Error);
    if (::geteuid() != 0) {
      write_file(dir / "secret.yaml", "contexts: []\n");
      ::chmod((dir / "secret.yaml").c_str(), 0);
      CHECK_THROWS_WITH_AS(load_config(dir / "secret.yaml"),
                           ((dir / "secret.yaml").string() + ": cannot read config file: permission denied").c_str(),
                           opsctl::Error);
    }
  }

  TEST_CASE("http checks take expect_json, headers, basic_auth_file, insecure and cacert") {
    TempDir dir;
    write_file(dir / "config.yaml",
               "contexts:\n  - name: a\n    http:\n      - name: api\n        url: https://x/health\n"
               "        expect_json: success=true\n        headers: [\"X-Api-Key: env:KEY\", \"X-Trace: abc\"]\n"
               "        basic_auth_file: /etc/opsctl/api.auth\n        insecure: true\n        cacert: /etc/ca.pem\n");
    const Config cfg = load_config(dir / "config.yaml");
    const HttpCheck& h = cfg.contexts.at(0).http.at(0);
    CHECK(h.expect_json == std::vector<std::string>{"success=true"});
    CHECK(h.headers == std::vector<std::string>{"X-Api-Key: env:KEY", "X-Trace: abc"});
    CHECK(h.basic_auth_file == "/etc/opsctl/api.auth");
    CHECK(h.insecure);
    CHECK(h.cacert == "/etc/ca.pem");
    const auto view = redacted_view(cfg);
    CHECK(view["contexts"][0]["http"][0]["headers"] == nlohmann::json{"X-Api-Key: env:KEY", "X-Trace: ***"});
    const std::string f = (dir / "config.yaml").string();
    CHECK(load_error(dir, "contexts:\n  - name: a\n    http:\n      - name: x\n        url: u\n"
                          "        headers: {a: b}\n") ==
          f + ":6: headers of http[0] in context \"a\" must be a string or a list of strings, not a map");
  }

  TEST_CASE("select_context: the named context, else current-context, else none") {
    TempDir dir;
    write_file(dir / "config.yaml", kFull);
    Config cfg = load_config(dir / "config.yaml");
    CHECK(select_context(cfg, std::string("staging"))->name == "staging");
    CHECK(select_context(cfg, std::nullopt)->name == "prod");
    CHECK(select_context(cfg, std::string())->name == "prod");
    CHECK_THROWS_WITH_AS(select_context(cfg, std::string("qa")),
                         ((dir / "config.yaml").string() + ": no context \"qa\" (contexts: prod, staging)").c_str(),
                         opsctl::Error);
    cfg.current_context.clear();
    CHECK(select_context(cfg, std::nullopt) == nullptr);
    const Config none = load_config(dir / "absent.yaml");
    CHECK(select_context(none, std::nullopt) == nullptr);
    CHECK_THROWS_AS(select_context(none, std::string("prod")), opsctl::Error);
  }

  TEST_CASE("read_password_file takes the first line without its line ending") {
    TempDir dir;
    write_file(dir / "pw", "s3cret\r\nsecond line\n");
    CHECK(read_password_file(dir / "pw") == "s3cret");
    write_file(dir / "pw2", "no-newline");
    CHECK(read_password_file(dir / "pw2") == "no-newline");
    write_file(dir / "empty", "\n");
    CHECK_THROWS_WITH_AS(read_password_file(dir / "empty"),
                         ((dir / "empty").string() + ": password file is empty").c_str(), opsctl::Error);
    CHECK_THROWS_WITH_AS(read_password_file(dir / "absent"),
                         ((dir / "absent").string() + ": cannot read password file: no such file").c_str(),
                         opsctl::Error);
    CHECK_THROWS_WITH_AS(read_password_file(dir.path()),
                         (dir.path().string() + ": cannot read password file: it is a directory").c_str(),
                         opsctl::Error);
  }

  TEST_CASE("default_config_path follows XDG_CONFIG_HOME, then HOME") {
    const auto env = opsctl::cmd::process_io().env;
    const char* old_xdg = std::getenv("XDG_CONFIG_HOME");
    const std::string saved = old_xdg ? old_xdg : "";
    ::setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
    CHECK(default_config_path(env) == fs::path("/xdg/conf/opsctl/config.yaml"));
    ::unsetenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    if (home != nullptr && *home != '\0') {
      CHECK(default_config_path(env) == fs::path(home) / ".config/opsctl/config.yaml");
    }
    if (old_xdg) ::setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
  }
}
