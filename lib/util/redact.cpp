// Two scanners over the text, not regexes: each is a few lines, easy to audit, and cannot blow up on
// pathological input. When a case is ambiguous they redact too much rather than too little: a hidden
// host name costs a second look, a leaked password costs a rotation.
#include "util/redact.h"

#include <algorithm>
#include <cctype>

namespace opsctl::util {
namespace {

constexpr auto npos = std::string_view::npos;
constexpr std::string_view k_mask = "***";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Characters that can never appear raw in a URL and, in text, end one: whitespace, control bytes,
// the quotes of JSON strings and the brackets of <URL> or `URL`.
bool ends_url(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f || c == ' ' || c == '"' || c == '<' || c == '>' || c == '`';
}

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// password, passwd, pass, pwd and anything ending in password/passwd (sslpassword, PGPASSWORD,
// redis_password, --password), case-insensitively.
bool is_secret_key(std::string_view key) {
  std::string lower;
  for (char c : key) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view k = lower;
  while (!k.empty() && k.front() == '-') k.remove_prefix(1);
  return k == "pass" || k == "pwd" || ends_with(k, "password") || ends_with(k, "passwd") ||
         ends_with(k, "_pass") || ends_with(k, "_pwd");
}

// Pass 1: the password of user:password@ in every scheme://authority.
std::string redact_url_passwords(std::string_view text) {
  std::string out;
  std::size_t copied = 0;  // text[0, copied) is already in out
  std::size_t search = 0;
  // A token (the run up to a character that ends a URL) may hold many "://"; its end and last '@'
  // are found once per token so that hostile input stays linear.
  std::size_t token_end = 0;
  std::size_t last_at = npos;
  for (std::size_t sep; (sep = text.find("://", search)) != npos;) {
    const std::size_t start = sep + 3;
    if (start > token_end) {
      token_end = start;
      while (token_end < text.size() && !ends_url(text[token_end])) ++token_end;
      last_at = text.substr(start, token_end - start).rfind('@');
      if (last_at != npos) last_at += start;
    }
    search = start;  // a URL nested in this one ("?next=redis://...") is still checked
    // The LAST '@' ends the userinfo: people paste passwords with a raw '@', '/', '?' or '#'. The price
    // is that an '@' in a path or query hides a little too much, never too little.
    if (last_at == npos || last_at < start) continue;
    const std::size_t colon = text.substr(start, last_at - start).find(':');
    if (colon == npos || start + colon + 1 == last_at) continue;  // no password, or an empty one
    out.append(text.substr(copied, start + colon + 1 - copied));
    out.append(k_mask);
    copied = last_at;
    search = last_at;
  }
  out.append(text.substr(copied));
  return out;
}

// End of a quoted value starting at the quote text[q]; backslash escapes as in libpq ('a \' b').
// Returns text.size() when the quote is never closed.
std::size_t closing_quote(std::string_view text, std::size_t q) {
  std::size_t j = q + 1;
  while (j < text.size() && text[j] != text[q]) j += (text[j] == '\\') ? 2 : 1;
  return j < text.size() ? j : text.size();
}

// Pass 2: values of secret keys in libpq conninfo (password='a b'), query strings (?password=x&...)
// and KEY=value text (PGPASSWORD=x).
std::string redact_key_values(std::string_view text) {
  std::string out;
  std::size_t copied = 0;
  for (std::size_t eq = text.find('='); eq != npos; eq = text.find('=', std::max(eq + 1, copied))) {
    std::size_t key_end = eq;
    while (key_end > copied && (text[key_end - 1] == ' ' || text[key_end - 1] == '\t')) --key_end;
    std::size_t key_start = key_end;
    while (key_start > copied && is_key_char(text[key_start - 1])) --key_start;
    if (key_start == key_end || !is_secret_key(text.substr(key_start, key_end - key_start))) continue;

    // In a query string '&' and '#' end the value; in conninfo only whitespace does, and libpq
    // skips whitespace after '=' ("password= x" is the password "x").
    const bool in_query = key_start > 0 && (text[key_start - 1] == '?' || text[key_start - 1] == '&');
    std::size_t v = eq + 1;
    if (!in_query) {
      while (v < text.size() && (text[v] == ' ' || text[v] == '\t')) ++v;
    }
    if (v >= text.size()) break;

    std::size_t value_start = v;
    std::size_t value_end = v;
    if (!in_query && (text[v] == '\'' || text[v] == '"')) {
      value_start = v + 1;
      value_end = closing_quote(text, v);
    } else {
      while (value_end < text.size() && !is_space(text[value_end])) {
        const char c = text[value_end];
        if (in_query && (c == '&' || c == '#' || c == '"')) break;
        value_end += (c == '\\' && !in_query) ? 2 : 1;  // libpq: "\ " is part of the value
      }
      value_end = std::min(value_end, text.size());
    }
    if (value_end <= value_start) continue;  // an empty value hides nothing
    out.append(text.substr(copied, value_start - copied));
    out.append(k_mask);
    copied = value_end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace

std::string redact(std::string_view text) {
  try {
    return redact_key_values(redact_url_passwords(text));
  } catch (...) {
    // Only allocation can fail here; hiding everything is the one safe answer (and fits in SSO).
    return std::string(k_mask);
  }
}

bool is_secret_header(std::string_view name) {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "authorization" || n == "proxy-authorization" || n == "cookie") return true;
  for (const char* word : {"token", "key", "secret", "password", "auth", "session"}) {
    if (n.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace opsctl::util
