// Parsing and validation of the config file. Every problem becomes one config_error that names the file
// and the 1-based line, so an on-call engineer can open the file at the right place.
#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/config_file.h"
#include "config/yaml_walk.h"
#include "core/error.h"
#include "util/host_port.h"
#include "util/redact.h"

namespace opsctl::config::detail {
namespace {

// The keys a config file is made of (the message for a file that is not a map), and every key the
// top level takes (the "did you mean" of an unknown one).
constexpr std::string_view kTopKeys = "current-context, contexts";
constexpr std::string_view kAllTopKeys = "current-context, contexts, thresholds";
constexpr std::string_view kContextKeys =
    "name, redis, redis_password_file, sentinels, master_name, db, redis_user, sentinel_password_file, tls, tls_ca, tls_cert, tls_key, tls_server_name, tls_insecure, cluster, pg, prefix, "
    "queue_backend, queue_schema, read_only, confirm, http, redis_checks, pg_checks, thresholds";
constexpr std::string_view kHttpKeys =
    "name, url, expect_status, expect_body, expect_json, headers, basic_auth_file, insecure, cacert";

class Validator {
 public:
  explicit Validator(const std::filesystem::path& path) : file_(path.string()) {}

  [[noreturn]] void fail(int line, std::string_view what) const {
    if (line > 0) throw config_error(fmt::format("{}:{}: {}", file_, line, what));
    throw config_error(fmt::format("{}: {}", file_, what));
  }

  static int line_of(const YAML::Node& n) { return yaml_line(n); }
  static int line_of(const YAML::Node& key, const YAML::Node& value) { return yaml_line(key, value); }
  static std::string_view kind(const YAML::Node& n) { return yaml_kind(n); }

  template <class F>
  void each_pair(const YAML::Node& map, std::string_view where, F&& f) const {
    for_each_pair(map, where, [this](int line, std::string_view what) { fail(line, what); }, std::forward<F>(f));
  }

  [[noreturn]] void unknown_key(const YAML::Node& key, std::string_view where, std::string_view allowed) const {
    fail(line_of(key),
         fmt::format("unknown key \"{}\" {} (allowed: {})", util::redact(key.Scalar()), where, allowed));
  }

  std::string text(const YAML::Node& key, const YAML::Node& v, std::string_view field, bool allow_empty = false) const {
    if (!v.IsScalar()) fail(line_of(key, v), fmt::format("{} must be a string, not {}", field, kind(v)));
    if (!allow_empty && v.Scalar().empty()) fail(line_of(key, v), fmt::format("{} must not be empty", field));
    return v.Scalar();
  }

  // One string or a list of strings.
  std::vector<std::string> texts(const YAML::Node& key, const YAML::Node& v, std::string_view field) const {
    if (v.IsScalar()) return {text(key, v, field)};
    if (!v.IsSequence()) fail(line_of(key, v), fmt::format("{} must be a string or a list of strings, not {}", field, kind(v)));
    std::vector<std::string> out;
    for (const auto& item : v) out.push_back(text(item, item, field));
    return out;
  }

  bool boolean(const YAML::Node& key, const YAML::Node& v, std::string_view field) const {
    bool b = false;
    if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b)) {
      fail(line_of(key, v), fmt::format("{} must be true or false", field));
    }
    return b;
  }

  int status_code(const YAML::Node& key, const YAML::Node& v, std::string_view field) const {
    int code = 0;
    const std::string s = v.IsScalar() ? v.Scalar() : std::string();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), code);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || code < 100 || code > 599) {
      fail(line_of(key, v), fmt::format("{} must be an HTTP status code (100-599)", field));
    }
    return code;
  }

  HttpCheck http_check(const YAML::Node& item, const std::string& where) const {
    if (!item.IsMap()) {
      fail(line_of(item), fmt::format("{} must be a map with name and url, not {}", where, kind(item)));
    }
    HttpCheck h;
    each_pair(item, "in " + where, [&](const std::string& k, const YAML::Node& key, const YAML::Node& v) {
      if (k == "name") h.name = text(key, v, "name of " + where);
      else if (k == "url") h.url = text(key, v, "url of " + where);
      else if (k == "expect_status") h.expect_status = status_code(key, v, "expect_status of " + where);
      else if (k == "expect_body") h.expect_body = text(key, v, "expect_body of " + where, true);
      else if (k == "expect_json") h.expect_json = texts(key, v, "expect_json of " + where);
      else if (k == "headers") h.headers = texts(key, v, "headers of " + where);
      else if (k == "basic_auth_file") h.basic_auth_file = text(key, v, "basic_auth_file of " + where);
      else if (k == "insecure") h.insecure = boolean(key, v, "insecure of " + where);
      else if (k == "cacert") h.cacert = text(key, v, "cacert of " + where);
      else unknown_key(key, "in " + where, kHttpKeys);
    });
    if (h.name.empty()) fail(line_of(item), fmt::format("{} has no name", where));
    if (h.url.empty()) fail(line_of(item), fmt::format("{} has no url", where));
    return h;
  }

  void http_list(Context& c, const YAML::Node& key, const YAML::Node& v, const std::string& ctx) const {
    if (v.IsNull()) return;
    if (!v.IsSequence()) fail(line_of(key, v), fmt::format("http in {} must be a list, not {}", ctx, kind(v)));
    std::map<std::string, int> names;
    for (std::size_t i = 0; i < v.size(); ++i) {
      HttpCheck h = http_check(v[i], fmt::format("http[{}] in {}", i, ctx));
      auto [first, fresh] = names.emplace(h.name, line_of(v[i]));
      if (!fresh) {
        fail(line_of(v[i]), fmt::format("duplicate http check name \"{}\" in {} (first at line {})", h.name, ctx,
                                        first->second));
      }
      c.http.push_back(std::move(h));
    }
  }

  // redis_checks / pg_checks: extra named targets for `opsctl health`, each {name, url}.
  void target_list(std::vector<NamedTarget>& out, const std::string& field, const YAML::Node& key,
                   const YAML::Node& v, const std::string& ctx) const {
    if (v.IsNull()) return;
    if (!v.IsSequence()) fail(line_of(key, v), fmt::format("{} in {} must be a list, not {}", field, ctx, kind(v)));
    std::map<std::string, int> names;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string where = fmt::format("{}[{}] in {}", field, i, ctx);
      if (!v[i].IsMap()) fail(line_of(v[i]), fmt::format("{} must be a map with name and url, not {}", where, kind(v[i])));
      NamedTarget t;
      t.line = line_of(v[i]);
      each_pair(v[i], "in " + where, [&](const std::string& k, const YAML::Node& tk, const YAML::Node& tv) {
        if (k == "name") t.name = text(tk, tv, "name of " + where);
        else if (k == "url") t.url = text(tk, tv, "url of " + where);
        else unknown_key(tk, "in " + where, "name, url");
      });
      if (t.name.empty()) fail(t.line, fmt::format("{} has no name", where));
      if (t.url.empty()) fail(t.line, fmt::format("{} has no url", where));
      auto [first, fresh] = names.emplace(t.name, t.line);
      if (!fresh) {
        fail(t.line, fmt::format("duplicate {} name \"{}\" in {} (first at line {})", field, t.name, ctx, first->second));
      }
      out.push_back(std::move(t));
    }
  }

  void thresholds(Context& c, const YAML::Node& key, const YAML::Node& v, const std::string& ctx) const {
    if (v.IsNull()) return;
    if (!v.IsMap()) fail(line_of(key, v), fmt::format("thresholds in {} must be a map, not {}", ctx, kind(v)));
    each_pair(v, "in thresholds of " + ctx, [&](const std::string& k, const YAML::Node& tk, const YAML::Node& tv) {
      if (k == "queues") return queue_thresholds(c, tk, tv, ctx);
      threshold(c.thresholds, k, tk, tv, ctx);
    });
  }

  void threshold(std::map<std::string, std::string>& out, const std::string& k, const YAML::Node& tk,
                 const YAML::Node& tv, const std::string& ctx) const {
    std::string flag = k.substr(std::min(k.find_first_not_of('-'), k.size()));
    if (flag.empty()) fail(line_of(tk), fmt::format("empty threshold name in {}", ctx));
    out[flag] = text(tk, tv, fmt::format("threshold {} in {}", flag, ctx));
  }

  // thresholds: {queues: {emails: {warn-wait: 500}}}: per-queue values over the others.
  void queue_thresholds(Context& c, const YAML::Node& key, const YAML::Node& v, const std::string& ctx) const {
    if (v.IsNull()) return;
    if (!v.IsMap()) fail(line_of(key, v), fmt::format("thresholds.queues in {} must be a map, not {}", ctx, kind(v)));
    each_pair(v, "in thresholds.queues of " + ctx, [&](const std::string& q, const YAML::Node& qk, const YAML::Node& qv) {
      if (!qv.IsMap()) fail(line_of(qk, qv), fmt::format("thresholds of queue {} in {} must be a map, not {}", q, ctx, kind(qv)));
      auto& out = c.queue_thresholds[q];
      std::string where = fmt::format("queue {} in {}", q, ctx);
      each_pair(qv, "in thresholds of " + where, [&](const std::string& k, const YAML::Node& tk, const YAML::Node& tv) {
        threshold(out, k, tk, tv, where);
      });
    });
  }

  // sentinels: [h1:26379, "[::1]:26380"]; 26379 when the port is left out.
  std::vector<util::HostPort> sentinels(const YAML::Node& key, const YAML::Node& v, const std::string& ctx) const {
    if (!v.IsSequence() || v.size() == 0) {
      fail(line_of(key, v), fmt::format("sentinels in {} must be a list of host:port, not {}", ctx,
                                        v.IsSequence() ? "an empty list" : kind(v)));
    }
    std::vector<util::HostPort> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string field = fmt::format("sentinels[{}] in {}", i, ctx);
      const std::string item = text(v[i], v[i], field);
      util::HostPortParse p = util::parse_host_port(item, 26379);
      if (p.error.empty() && p.value.host.empty()) p.error = "no host";
      if (!p.error.empty()) fail(line_of(v[i]), fmt::format("{}: bad address '{}': {} (expected host:port)", field, item, p.error));
      out.push_back(p.value);
    }
    return out;
  }

  int database(const YAML::Node& key, const YAML::Node& v, const std::string& ctx) const {
    int db = -1;
    const std::string s = v.IsScalar() ? v.Scalar() : std::string();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), db);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || db < 0 || db > (1 << 20)) {
      fail(line_of(key, v), fmt::format("db in {} must be a database number (0, 1, ...)", ctx));
    }
    return db;
  }

  // The name goes into a URL path: what would end or split it there is refused.
  std::string master_name(const YAML::Node& key, const YAML::Node& v, const std::string& ctx) const {
    std::string name = text(key, v, "master_name in " + ctx);
    if (name.find_first_of("/?#@, \t") != std::string::npos) {
      fail(line_of(key, v), fmt::format("master_name in {} must not hold '/', '?', '#', '@', ',' or spaces", ctx));
    }
    return name;
  }

  Context context(const YAML::Node& item, std::size_t index) const {
    if (!item.IsMap()) fail(line_of(item), fmt::format("contexts[{}] must be a map, not {}", index, kind(item)));
    Context c;
    c.line = line_of(item);
    // The name first, so every later message can say which context it is about.
    for (auto it = item.begin(); it != item.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == "name") {
        c.name = text(it->first, it->second, fmt::format("name of contexts[{}]", index));
        break;
      }
    }
    if (c.name.empty()) fail(c.line, fmt::format("contexts[{}] has no name", index));
    const std::string ctx = fmt::format("context \"{}\"", c.name);
    each_pair(item, "in " + ctx, [&](const std::string& k, const YAML::Node& key, const YAML::Node& v) {
      if (k == "name") return;
      if (k == "redis") c.redis = text(key, v, "redis in " + ctx);
      else if (k == "redis_password_file") c.redis_password_file = text(key, v, "redis_password_file in " + ctx);
      else if (k == "sentinel_password_file") c.sentinel_password_file = text(key, v, "sentinel_password_file in " + ctx);
      else if (k == "sentinels") c.sentinels = sentinels(key, v, ctx);
      else if (k == "master_name") c.master_name = master_name(key, v, ctx);
      else if (k == "db") c.db = database(key, v, ctx);
      else if (k == "redis_user") c.redis_user = text(key, v, "redis_user in " + ctx);
      else if (k == "sentinel_password" || k == "redis_password") {
        fail(line_of(key), fmt::format("{} in {}: a password is not written in the config file; put it in a file "
                                       "readable only by you and name it with {}_file",
                                       k, ctx, k));
      }
      else if (k == "tls") c.tls = boolean(key, v, "tls in " + ctx);
      else if (k == "tls_ca") c.tls_ca = text(key, v, "tls_ca in " + ctx);
      else if (k == "tls_cert") c.tls_cert = text(key, v, "tls_cert in " + ctx);
      else if (k == "tls_key") c.tls_key = text(key, v, "tls_key in " + ctx);
      else if (k == "tls_server_name") c.tls_server_name = text(key, v, "tls_server_name in " + ctx);
      else if (k == "tls_insecure") c.tls_insecure = boolean(key, v, "tls_insecure in " + ctx);
      else if (k == "cluster") c.cluster = boolean(key, v, "cluster in " + ctx);
      else if (k == "pg") c.pg = text(key, v, "pg in " + ctx);
      else if (k == "prefix") c.prefix = text(key, v, "prefix in " + ctx);
      else if (k == "queue_backend") c.queue_backend = text(key, v, "queue_backend in " + ctx);
      else if (k == "queue_schema") c.queue_schema = text(key, v, "queue_schema in " + ctx);
      else if (k == "read_only") c.read_only = boolean(key, v, "read_only in " + ctx);
      else if (k == "confirm") c.confirm = boolean(key, v, "confirm in " + ctx);
      else if (k == "http") http_list(c, key, v, ctx);
      else if (k == "redis_checks") target_list(c.redis_checks, k, key, v, ctx);
      else if (k == "pg_checks") target_list(c.pg_checks, k, key, v, ctx);
      else if (k == "thresholds") thresholds(c, key, v, ctx);
      else unknown_key(key, "in " + ctx, kContextKeys);
    });
    return c;
  }

  void contexts(Config& cfg, const YAML::Node& key, const YAML::Node& v) const {
    if (v.IsNull()) return;
    if (!v.IsSequence()) fail(line_of(key, v), fmt::format("contexts must be a list, not {}", kind(v)));
    for (std::size_t i = 0; i < v.size(); ++i) {
      Context c = context(v[i], i);
      if (const Context* first = cfg.find(c.name)) {
        fail(c.line, fmt::format("duplicate context name \"{}\" (first at line {})", c.name, first->line));
      }
      cfg.contexts.push_back(std::move(c));
    }
  }

  Config config(const YAML::Node& root) const {
    Config cfg;
    if (root.IsNull()) return cfg;  // an empty file, or only comments
    if (!root.IsMap()) fail(line_of(root), fmt::format("the file must be a map of {}, not {}", kTopKeys, kind(root)));
    int current_line = 0;
    each_pair(root, "at the top level", [&](const std::string& k, const YAML::Node& key, const YAML::Node& v) {
      if (k == "current-context") {
        if (!v.IsNull()) cfg.current_context = text(key, v, "current-context", true);
        current_line = line_of(key, v);
      } else if (k == "contexts") {
        contexts(cfg, key, v);
      } else if (k == "thresholds") {
        thresholds(cfg.defaults, key, v, "the top-level thresholds");
      } else {
        unknown_key(key, "at the top level", kAllTopKeys);
      }
    });
    if (!cfg.current_context.empty() && !cfg.find(cfg.current_context)) {
      std::string names;
      for (const Context& c : cfg.contexts) names += (names.empty() ? "" : ", ") + c.name;
      fail(current_line, fmt::format("current-context \"{}\" names no context ({})", cfg.current_context,
                                     names.empty() ? "no contexts are defined" : "contexts: " + names));
    }
    return cfg;
  }

 private:
  std::string file_;
};

}  // namespace

Config parse_config(const std::string& text, const std::filesystem::path& path) {
  const Validator v(path);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    v.fail(e.mark.line >= 0 ? e.mark.line + 1 : 0, fmt::format("invalid YAML: {}", e.msg));
  }
  try {
    Config cfg = v.config(root);
    cfg.path = path;
    cfg.exists = true;
    return cfg;
  } catch (const YAML::Exception& e) {  // should not happen after the type checks; still a config problem
    v.fail(e.mark.line >= 0 ? e.mark.line + 1 : 0, fmt::format("invalid config: {}", e.msg));
  }
}

}  // namespace opsctl::config::detail
