// Loading the config file, choosing a context, password files and the redacted view for `config view`.
#include "config/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/config_file.h"
#include "core/error.h"
#include "util/files.h"
#include "util/redact.h"

namespace opsctl::config {
namespace {

constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;  // a config bigger than this is a mistake

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { ::close(fd_); }
  int get() const { return fd_; }

 private:
  int fd_;
};

nlohmann::json optional_text(const std::optional<std::string>& s, bool secret) {
  if (!s) return nullptr;
  return secret ? util::redact(*s) : *s;
}

// The context's TLS fields; null when it sets none.
nlohmann::json tls_view(const Context& c) {
  if (!c.tls && !c.tls_ca && !c.tls_cert && !c.tls_key && !c.tls_server_name && !c.tls_insecure) return nullptr;
  return {{"enabled", c.tls},
          {"ca", optional_text(c.tls_ca, false)},
          {"cert", optional_text(c.tls_cert, false)},
          {"key", optional_text(c.tls_key, false)},
          {"server_name", optional_text(c.tls_server_name, false)},
          {"insecure", c.tls_insecure}};
}

}  // namespace

namespace detail {

std::string context_names(const Config& cfg) {
  std::string names;
  for (const Context& c : cfg.contexts) names += (names.empty() ? "" : ", ") + c.name;
  return names.empty() ? "no contexts are defined" : "contexts: " + names;
}

std::optional<std::string> read_text_file(const std::filesystem::path& path, std::string_view what) {
  auto fail = [&](const std::string& cause) {
    return config_error(fmt::format("{}: cannot read {}: {}", path.string(), what, cause));
  };
  const int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw fail(util::errno_text(errno));
  }
  const Fd fd(raw);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw fail(util::errno_text(errno));
  if (S_ISDIR(st.st_mode)) throw fail("it is a directory");
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fail(util::errno_text(errno));
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) throw fail("larger than 16 MiB");
  }
  return text;
}

}  // namespace detail

const Context* Config::find(const std::string& name) const {
  for (const Context& c : contexts) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::filesystem::path default_config_path(const util::EnvLookup& env) {
  // XDG: a relative XDG_CONFIG_HOME is invalid and ignored.
  if (auto xdg = util::non_empty_env(env, "XDG_CONFIG_HOME"); xdg && (*xdg)[0] == '/') {
    return std::filesystem::path(*xdg) / "opsctl" / "config.yaml";
  }
  return util::home_dir(env) / ".config" / "opsctl" / "config.yaml";
}

Config load_config(const std::filesystem::path& path, bool required) {
  std::optional<std::string> text = detail::read_text_file(path, "config file");
  if (!text) {
    if (required) throw config_error(fmt::format("{}: cannot read config file: no such file", path.string()));
    Config empty;
    empty.path = path;
    return empty;
  }
  return detail::parse_config(*text, path);
}

const Context* select_context(const Config& cfg, const std::optional<std::string>& name) {
  // An empty --context means "the current one", as in kubectl.
  const std::string& wanted = name && !name->empty() ? *name : cfg.current_context;
  if (wanted.empty()) return nullptr;
  if (const Context* c = cfg.find(wanted)) return c;
  const std::string where = cfg.exists ? cfg.path.string() : cfg.path.string() + " (no such file)";
  throw config_error(fmt::format("{}: no context \"{}\" ({})", where, wanted, detail::context_names(cfg)));
}

std::string read_password_file(const std::filesystem::path& path) {
  std::optional<std::string> text = detail::read_text_file(path, "password file");
  if (!text) throw config_error(fmt::format("{}: cannot read password file: no such file", path.string()));
  std::string line = text->substr(0, text->find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) throw config_error(fmt::format("{}: password file is empty", path.string()));
  return line;
}

namespace {

// %XX for what may not stand raw in a URL's userinfo (target.cpp decodes it).
std::string percent_encode(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) != 0 || ch == '-' || ch == '.' || ch == '_' || ch == '~') out += static_cast<char>(ch);
    else out += fmt::format("%{:02X}", ch);
  }
  return out;
}

}  // namespace

std::optional<std::string> redis_url(const Config& cfg, const Context& c) {
  auto conflict = [&](std::string_view what) {
    return usage_error(fmt::format("{}:{}: context \"{}\" {}", cfg.path.string(), c.line, c.name, what));
  };
  if (c.redis) {
    if (!c.sentinels.empty()) {
      throw conflict("sets both redis and sentinels: keep one (redis: a URL for one server or a redis+sentinel:// "
                     "URL; sentinels: with master_name for Redis behind Sentinel)");
    }
    if (c.master_name) throw conflict("sets master_name beside a redis URL: master_name goes with sentinels");
    if (c.db || c.redis_user) {
      throw conflict("sets db or redis_user beside a redis URL: they go with sentinels; a URL says them itself "
                     "(redis://user@host:port/db)");
    }
    return c.redis;
  }
  if (c.sentinels.empty()) {
    if (c.master_name) throw conflict("sets master_name without sentinels: list them (sentinels: [host:26379, ...])");
    if (c.db || c.redis_user) throw conflict("sets db or redis_user without sentinels or a redis URL");
    return std::nullopt;
  }
  if (!c.master_name) throw conflict("lists sentinels without master_name: name the master they watch");
  std::vector<std::string> nodes;
  for (const auto& n : c.sentinels) nodes.push_back(util::format_host_port(n));
  return fmt::format("redis+sentinel://{}{}/{}{}", c.redis_user ? percent_encode(*c.redis_user) + "@" : "",
                     fmt::join(nodes, ","), *c.master_name, c.db ? fmt::format("/{}", *c.db) : "");
}

bool holds_secret(const Config& cfg) {
  auto secret = [](const std::string& text) { return util::redact(text) != text; };
  for (const Context& c : cfg.contexts) {
    if ((c.redis && secret(*c.redis)) || (c.pg && secret(*c.pg))) return true;
    for (const auto& list : {&c.redis_checks, &c.pg_checks}) {
      for (const NamedTarget& t : *list) {
        if (secret(t.url)) return true;
      }
    }
    for (const HttpCheck& h : c.http) {
      if (secret(h.url)) return true;
      for (const std::string& header : h.headers) {
        const auto colon = header.find(':');
        if (colon == std::string::npos) continue;
        std::string value = header.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        const bool reference = value.rfind('@', 0) == 0 || value.rfind("env:", 0) == 0;
        if (!reference && !value.empty() && util::is_secret_header(header.substr(0, colon))) return true;
      }
    }
  }
  return false;
}

namespace {

// The Sentinel fields; absent from the view when the context sets none.
std::optional<nlohmann::json> sentinel_view(const Context& c) {
  if (c.sentinels.empty() && !c.master_name && !c.db && !c.redis_user) return std::nullopt;
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : c.sentinels) nodes.push_back(util::format_host_port(n));
  return nlohmann::json{{"sentinels", std::move(nodes)},
                        {"master_name", optional_text(c.master_name, false)},
                        {"db", c.db ? nlohmann::json(*c.db) : nlohmann::json(nullptr)},
                        {"redis_user", optional_text(c.redis_user, false)}};
}

nlohmann::json thresholds_view(const Context& c) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [flag, value] : c.thresholds) out[flag] = value;
  for (const auto& [queue, values] : c.queue_thresholds) {
    for (const auto& [flag, value] : values) out["queues"][queue][flag] = value;
  }
  return out;
}

// Header values may be secrets: @FILE and env:VAR references are shown, literal values are not.
nlohmann::json header_view(const std::vector<std::string>& headers) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : headers) {
    auto colon = h.find(':');
    std::string value = colon == std::string::npos ? "" : h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    bool reference = value.rfind('@', 0) == 0 || value.rfind("env:", 0) == 0;
    out.push_back(colon == std::string::npos ? "***" : h.substr(0, colon) + ": " + (reference ? value : "***"));
  }
  return out;
}

}  // namespace

nlohmann::json redacted_view(const Config& cfg) {
  nlohmann::json contexts = nlohmann::json::array();
  for (const Context& c : cfg.contexts) {
    nlohmann::json http = nlohmann::json::array();
    for (const HttpCheck& h : c.http) {
      http.push_back({{"name", h.name},
                      {"url", util::redact(h.url)},
                      {"expect_status", h.expect_status},
                      {"expect_body", h.expect_body},
                      {"expect_json", h.expect_json},
                      {"headers", header_view(h.headers)},
                      {"basic_auth_file", h.basic_auth_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.basic_auth_file)},
                      {"insecure", h.insecure},
                      {"cacert", h.cacert.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.cacert)}});
    }
    auto targets = [](const std::vector<NamedTarget>& list) {
      nlohmann::json out = nlohmann::json::array();
      for (const NamedTarget& t : list) out.push_back({{"name", t.name}, {"url", util::redact(t.url)}});
      return out;
    };
    nlohmann::json thresholds = thresholds_view(c);
    contexts.push_back({{"name", c.name},
                        {"redis", optional_text(c.redis, true)},
                        {"redis_password_file", optional_text(c.redis_password_file, false)},
                        {"sentinel_password_file", optional_text(c.sentinel_password_file, false)},
                        {"tls", tls_view(c)},
                        {"pg", optional_text(c.pg, true)},
                        {"prefix", optional_text(c.prefix, false)},
                        {"read_only", c.read_only},
                        {"confirm", c.confirm},
                        {"http", std::move(http)},
                        {"redis_checks", targets(c.redis_checks)},
                        {"pg_checks", targets(c.pg_checks)},
                        {"thresholds", std::move(thresholds)}});
    if (c.cluster) contexts.back()["cluster"] = true;  // shown only when set
    if (auto sentinel = sentinel_view(c)) contexts.back()["sentinel"] = std::move(*sentinel);
    // Shown only when set, like cluster: a Redis context's view stays as it was.
    if (c.queue_backend) contexts.back()["queue_backend"] = *c.queue_backend;
    if (c.queue_schema) contexts.back()["queue_schema"] = *c.queue_schema;
  }
  return {{"path", cfg.path.string()},
          {"exists", cfg.exists},
          {"current_context",
           cfg.current_context.empty() ? nlohmann::json(nullptr) : nlohmann::json(cfg.current_context)},
          {"contexts", std::move(contexts)},
          {"thresholds", thresholds_view(cfg.defaults)}};
}

}  // namespace opsctl::config
