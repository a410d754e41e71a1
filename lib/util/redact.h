#pragma once
// The one redaction function. Output, error messages, audit lines and `config view` all pass
// anything that may hold a secret through it, so a password can never leak by one forgotten path.
#include <string>
#include <string_view>

namespace opsctl::util {

// Replaces every secret in free text with "***":
//  - URL userinfo passwords: redis://user:pw@h -> redis://user:***@h, rediss://:pw@h -> rediss://:***@h,
//    postgres://u:pw@h/db, postgresql://..., http(s)://u:pw@h
//  - key=value secrets in conninfo or query strings: password=x, passwd=x, pass=x, pwd=x, sslpassword=x,
//    quoted values password='a b' included, also ?password=x&... in URLs
// Text without secrets comes back unchanged. Never throws.
std::string redact(std::string_view text);

// Whether an HTTP header of this name carries a credential (Authorization, Cookie, *token*, *key*,
// *secret*, *password*, *auth*, *session*), case-insensitively: its value typed on the command line
// earns a warning, and a config file holding one as literal text holds a secret.
bool is_secret_header(std::string_view name);

}  // namespace opsctl::util
