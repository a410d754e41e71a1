#pragma once
// The HTTP options of `opsctl health` (--expect-*, --header, --basic-auth-file, --insecure, --cacert)
// and how they, the environment and a context's http entry become one check's HttpCheckSpec.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cmd/session.h"
#include "config/config.h"
#include "health/http_check.h"

namespace opsctl::cmd {

struct HttpFlags {
  int expect_status = 0;
  std::string expect_body;
  std::vector<std::string> expect_json;  // PATH=VALUE
  std::vector<std::string> headers;      // "Name: value", value may be @FILE or env:VAR
  std::string basic_auth_file;           // user:password
  bool insecure = false;
  std::string cacert;
  bool follow_redirects = false;
};

void add_http_flags(CLI::App* cmd, HttpFlags& f);

// Checks what can be checked before any request (regex, PATH=VALUE, header syntax, files) and
// warns once on stderr about --insecure and about a secret header value typed on the command line.
void validate_http_flags(Session& s, const HttpFlags& f);

// Fills the HTTP part of spec from the flags, OPSCTL_HTTP_USER/OPSCTL_HTTP_PASSWORD and the context's
// entry c (may be null). Secrets are read here: header values from @FILE or env:VAR, basic auth.
void apply_http_flags(Session& s, const HttpFlags& f, const config::HttpCheck* c, health::HttpCheckSpec& spec);

}  // namespace opsctl::cmd
