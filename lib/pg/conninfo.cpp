#include "pg/conninfo.h"

#include <libpq-fe.h>

#include <memory>

#include <fmt/format.h>

#include "core/error.h"
#include "util/redact.h"

namespace opsctl::pg {
namespace {

struct OptionsFree {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using OptionsPtr = std::unique_ptr<PQconninfoOption, OptionsFree>;

struct ErrFree {
  void operator()(char* s) const { PQfreemem(s); }
};

long long millis(std::chrono::milliseconds d) { return d.count() < 1 ? 1 : d.count(); }

}  // namespace

std::string guard_options(std::chrono::milliseconds timeout) {
  const long long ms = millis(timeout);
  // Plain integers are milliseconds for these settings; no quoting needed inside `options`.
  return fmt::format("-c statement_timeout={} -c lock_timeout={} -c idle_in_transaction_session_timeout={} "
                     "-c default_transaction_read_only=on",
                     ms - ms / 10, ms / 2 < 1 ? 1 : ms / 2, ms);
}

Keywords connect_keywords(std::string_view conninfo, std::chrono::milliseconds timeout, Peer peer,
                          SessionGuards guards) {
  Keywords k;
  if (!conninfo.empty()) k.emplace_back("dbname", std::string(conninfo));
  const long long seconds = (millis(timeout) + 999) / 1000;
  k.emplace_back("connect_timeout", std::to_string(seconds));
  k.emplace_back("application_name", "opsctl");
  if (peer == Peer::server && guards == SessionGuards::in_options) k.emplace_back("options", guard_options(timeout));
  return k;
}

void validate_conninfo(std::string_view conninfo, std::string_view source) {
  if (conninfo.empty()) return;
  char* err = nullptr;
  OptionsPtr parsed(PQconninfoParse(std::string(conninfo).c_str(), &err));
  std::unique_ptr<char, ErrFree> err_owner(err);
  if (parsed) return;
  std::string why = err ? err : "out of memory";
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  // libpq quotes the token it choked on; when the string holds a password that token may be part
  // of it, so then only the generic reason is shown.
  if (conninfo.find("password") != std::string_view::npos || conninfo.find('@') != std::string_view::npos) {
    why = "libpq cannot parse it (quote values with spaces: password='a b'; percent-encode URL parts)";
  }
  throw usage_error(util::redact(fmt::format("invalid PostgreSQL conninfo in {}: {}", source, why)));
}

bool conninfo_has_password(std::string_view conninfo) {
  if (conninfo.empty()) return false;
  OptionsPtr parsed(PQconninfoParse(std::string(conninfo).c_str(), nullptr));
  if (!parsed) return false;
  for (const PQconninfoOption* o = parsed.get(); o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr && o->val[0] != '\0') return true;
  }
  return false;
}

std::string describe_conninfo(std::string_view conninfo) {
  OptionsPtr defaults(PQconndefaults());
  OptionsPtr parsed(conninfo.empty() ? nullptr : PQconninfoParse(std::string(conninfo).c_str(), nullptr));
  auto get = [&](std::string_view key) -> std::string {
    for (const PQconninfoOption* o = parsed.get(); o && o->keyword; ++o) {
      if (key == o->keyword && o->val && o->val[0]) return o->val;
    }
    for (const PQconninfoOption* o = defaults.get(); o && o->keyword; ++o) {
      if (key == o->keyword && o->val && o->val[0]) return o->val;
    }
    return "";
  };
  std::string host = get("host");
  if (host.empty()) host = get("hostaddr");
  std::string user = get("user");
  std::string db = get("dbname");
  if (db.empty()) db = user;  // libpq's own rule
  // A service file may set any of the above; only libpq knows the result, after connecting.
  if (std::string service = get("service"); !service.empty()) return util::redact(fmt::format("service {}", service));
  return display_target(host.empty() ? "local socket" : host, get("port"), db, user);
}

std::string display_target(std::string_view host, std::string_view port, std::string_view db, std::string_view user) {
  std::string out = host.empty() ? std::string("localhost") : std::string(host);
  if (!port.empty()) out += fmt::format(":{}", port);
  if (!db.empty()) out += fmt::format("/{}", db);
  if (!user.empty()) out += fmt::format(" as {}", user);
  return util::redact(out);
}

}  // namespace opsctl::pg
