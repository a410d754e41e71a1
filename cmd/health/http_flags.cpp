#include "cmd/health/http_flags.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "core/error.h"
#include "util/redact.h"

namespace opsctl::cmd {
namespace {

bool indirect(const std::string& value) { return value.rfind('@', 0) == 0 || value.rfind("env:", 0) == 0; }

// A header value: @FILE (its first line), env:VAR, else the text itself.
std::string resolve_value(Session& s, const health::HttpHeader& h, const std::string& where) {
  if (h.value.rfind('@', 0) == 0) {
    s.warn_secret_file(h.value.substr(1));
    return config::read_password_file(h.value.substr(1));
  }
  if (h.value.rfind("env:", 0) == 0) {
    std::string var = h.value.substr(4);
    auto v = s.io().env(var);
    if (!v) throw usage_error(fmt::format("{} {}: environment variable {} is not set", where, h.name, var));
    return *v;
  }
  return h.value;
}

void require_file(const std::string& path, const std::string& flag, bool from_config) {
  std::ifstream in(path);
  if (in) return;
  std::string m = fmt::format("{} {}: cannot read the file ({})", flag, path,
                              std::filesystem::exists(path) ? "permission denied" : "no such file");
  throw from_config ? config_error(m) : usage_error(m);
}

// OPSCTL_HTTP_USER and OPSCTL_HTTP_PASSWORD: user:password, or nullopt when neither is set.
std::optional<std::string> env_basic_auth(Session& s) {
  auto user = s.io().env("OPSCTL_HTTP_USER");
  auto password = s.io().env("OPSCTL_HTTP_PASSWORD");
  if (!user && !password) return std::nullopt;
  if (!user || user->empty()) throw usage_error("OPSCTL_HTTP_PASSWORD is set but OPSCTL_HTTP_USER is not");
  return *user + ":" + password.value_or("");
}

std::string read_basic_auth_file(Session& s, const std::string& path) {
  s.warn_secret_file(path);
  std::string line = config::read_password_file(path);
  if (line.find(':') == std::string::npos) {
    throw config_error(fmt::format("{}: basic auth file must hold user:password on its first line", path));
  }
  return line;
}

}  // namespace

void add_http_flags(CLI::App* cmd, HttpFlags& f) {
  cmd->add_option("--expect-status", f.expect_status, "HTTP status every --http check must return (default any 2xx)")
      ->check(CLI::Range(100, 599));
  cmd->add_option("--expect-body", f.expect_body, "regular expression (ECMAScript) the HTTP body must contain");
  cmd->add_option("--expect-json", f.expect_json,
                  "PATH=VALUE the JSON body must hold, e.g. status=ok, checks.db.status=up, data.0.ok=true (repeatable)");
  cmd->add_option("--header", f.headers,
                  "request header 'Name: value'; value @FILE or env:VAR keeps a secret off the command line (repeatable)");
  cmd->add_option("--basic-auth-file", f.basic_auth_file,
                  "file holding user:password for HTTP basic auth (else OPSCTL_HTTP_USER and OPSCTL_HTTP_PASSWORD)");
  cmd->add_flag("--insecure", f.insecure, "do not verify TLS certificates (every output then says so)");
  cmd->add_option("--cacert", f.cacert, "CA certificate file (PEM) to verify HTTPS servers with");
  cmd->add_flag("--follow-redirects", f.follow_redirects, "follow HTTP redirects (default: a redirect is critical)");
}

void validate_http_flags(Session& s, const HttpFlags& f) {
  if (!f.expect_body.empty()) health::validate_body_pattern(f.expect_body);
  for (const auto& e : f.expect_json) health::parse_json_expectation(e);
  for (const auto& text : f.headers) {
    health::HttpHeader h = health::parse_header(text);
    if (!indirect(h.value) && util::is_secret_header(h.name)) {
      s.io().err << fmt::format("opsctl: warning: the value of --header {} is visible in ps and shell history; "
                                "give it as @FILE or env:VAR\n", h.name);
    }
  }
  if (!f.cacert.empty()) require_file(f.cacert, "--cacert", false);
  if (!f.basic_auth_file.empty()) require_file(f.basic_auth_file, "--basic-auth-file", false);
}

namespace {

// A context's http entry is checked as the flags are, but its mistakes are configuration errors.
void validate_entry(const config::HttpCheck& c) {
  try {
    if (!c.expect_body.empty()) health::validate_body_pattern(c.expect_body);
    for (const auto& e : c.expect_json) health::parse_json_expectation(e);
    for (const auto& h : c.headers) health::parse_header(h);
  } catch (const Error& e) {
    throw config_error(fmt::format("http check {}: {}", c.name, e.what()));
  }
  if (!c.cacert.empty()) require_file(c.cacert, fmt::format("cacert of http check {}:", c.name), true);
}

}  // namespace

void apply_http_flags(Session& s, const HttpFlags& f, const config::HttpCheck* c, health::HttpCheckSpec& spec) {
  if (c) validate_entry(*c);
  spec.expect_status = c && c->expect_status ? c->expect_status : f.expect_status;
  spec.expect_body = c && !c->expect_body.empty() ? c->expect_body : f.expect_body;
  spec.follow_redirects = f.follow_redirects;
  std::vector<std::string> expectations = f.expect_json;
  std::vector<std::pair<std::string, std::string>> headers;  // text, where it came from
  for (const auto& h : f.headers) headers.emplace_back(h, "--header");
  if (c) {
    expectations.insert(expectations.end(), c->expect_json.begin(), c->expect_json.end());
    std::string where = fmt::format("header of http check {}:", c->name);
    for (const auto& h : c->headers) headers.emplace_back(h, where);
  }
  for (const auto& e : expectations) spec.expect_json.push_back(health::parse_json_expectation(e));
  for (const auto& [text, where] : headers) {
    health::HttpHeader h = health::parse_header(text);
    h.value = resolve_value(s, h, where);
    spec.headers.push_back(std::move(h));
  }
  if (!f.basic_auth_file.empty()) spec.basic_auth = read_basic_auth_file(s, f.basic_auth_file);
  else if (auto env = env_basic_auth(s)) spec.basic_auth = env;
  else if (c && !c->basic_auth_file.empty()) spec.basic_auth = read_basic_auth_file(s, c->basic_auth_file);
  spec.insecure = f.insecure || (c && c->insecure);
  spec.cacert = !f.cacert.empty() ? f.cacert : (c ? c->cacert : "");
  if (spec.insecure) {
    s.io().err << fmt::format("opsctl: warning: --insecure: the TLS certificate of {} is not verified\n",
                              util::redact(spec.url));
  }
}

}  // namespace opsctl::cmd
