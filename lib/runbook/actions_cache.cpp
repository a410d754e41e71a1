// cache.key and cache.delete: the freshness of one cached Redis key (a timestamp field in it, the
// TTL the application gives it, or OBJECT IDLETIME), and deleting it so the application recomputes
// it. The key is read without touching it first (OBJECT IDLETIME, TYPE and PTTL do not reset the
// idle time), then the timestamp field.
#include <fmt/format.h>

#include "redis/client.h"
#include "runbook/actions.h"
#include "util/duration.h"
#include "util/text.h"

namespace opsctl::runbook::actions {
namespace {

using nlohmann::json;

redis::Client connect(const Args& a, ActionContext& ctx) {
  redis::ConnectOptions o;
  o.connect_timeout = o.command_timeout = ctx.timeout();
  return redis::Client::connect(ctx.redis_target(a.str_or("url", "")), o);
}

// A timestamp as applications write it: epoch seconds or milliseconds (a number), or ISO 8601 UTC.
std::optional<std::int64_t> timestamp_ms(const std::string& text) {
  if (auto n = util::parse_int(text)) return *n < 100000000000 ? *n * 1000 : *n;
  int y, mo, d, h, mi;
  double s;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%lf", &y, &mo, &d, &h, &mi, &s) == 6) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return static_cast<std::int64_t>(timegm(&tm)) * 1000 + static_cast<std::int64_t>(s * 1000);
  }
  return std::nullopt;
}

ActionResult cache_key(const Args& a, ActionContext& ctx, DryRun) {
  std::string key = a.str("key");
  auto max_age = a.duration_or("max_age", std::chrono::minutes(10));
  auto ttl = a.duration_or("ttl", std::chrono::milliseconds(0));
  std::string field = a.str_or("field", "");
  redis::Client c = connect(a, ctx);
  std::vector<redis::Reply> r = c.pipeline({{"OBJECT", "IDLETIME", key}, {"TYPE", key}, {"PTTL", key}});
  std::string type = r[1].as_string().value_or("none");
  ActionResult out;
  out.target = fmt::format("{} key {}", c.target().display(), key);
  json idle = r[0].is_error() || r[0].is_nil() ? json(nullptr) : json(r[0].integer * 1000);
  std::int64_t pttl = r[2].integer;
  out.findings = {{"exists", type != "none"}, {"type", type}, {"ttl_ms", pttl >= 0 ? json(pttl) : json(nullptr)},
                  {"idle_ms", idle},         {"timestamp_ms", nullptr}, {"age_ms", nullptr},
                  {"age_from", ""},          {"fresh", false},          {"max_age_ms", max_age.count()}};
  if (type == "none") {
    out.summary = fmt::format("{} does not exist", key);
    out.status = Status::warning;
    return out;
  }
  std::optional<std::int64_t> age;
  if (!field.empty()) {
    redis::Reply v = type == "hash" ? c.command({"HGET", key, field}) : redis::Reply{};
    std::optional<std::int64_t> ts = v.as_string() ? timestamp_ms(*v.as_string()) : std::nullopt;
    if (!ts) throw a.error("field", fmt::format("{} has no timestamp in field {} (type {})", key, field, type));
    out.findings["timestamp_ms"] = *ts;
    age = ctx.now_ms() - *ts;
    out.findings["age_from"] = "field";
  } else if (ttl.count() > 0 && pttl >= 0) {
    age = ttl.count() - pttl;
    out.findings["age_from"] = "ttl";
  } else if (!idle.is_null()) {
    age = idle.get<std::int64_t>();
    out.findings["age_from"] = "idletime";
  }
  if (!age) throw a.error("key", fmt::format("cannot tell the age of {}: give field or ttl", key));
  out.findings["age_ms"] = *age;
  bool fresh = *age <= max_age.count();
  out.findings["fresh"] = fresh;
  out.status = fresh ? Status::ok : Status::warning;
  out.summary = fmt::format("{} is {} old ({}; limit {})", key, util::format_duration(std::chrono::milliseconds(*age)),
                            out.findings["age_from"].get<std::string>(), util::format_duration(max_age));
  return out;
}

ActionResult cache_delete(const Args& a, ActionContext& ctx, DryRun dry) {
  std::string key = a.str("key");
  redis::Client c = connect(a, ctx);
  ActionResult out;
  out.target = fmt::format("{} key {}", c.target().display(), key);
  out.planned = c.command({"EXISTS", key}).integer;
  out.findings = {{"existed", out.planned > 0}, {"deleted", false}};
  if (dry == DryRun::yes || out.planned == 0) {
    out.summary = out.planned ? fmt::format("delete {} (the application recomputes it)", key)
                              : fmt::format("{} does not exist", key);
    return out;
  }
  out.changed = c.command({"UNLINK", key}).integer;
  out.findings["deleted"] = out.changed > 0;
  out.summary = fmt::format("deleted {}", key);
  return out;
}

}  // namespace

void add_cache(ActionRegistry& reg) {
  using V = ValueType;
  reg.add({"cache.key", "the freshness of a cached Redis key: a timestamp field, its TTL, or OBJECT IDLETIME",
           Effect::reads,
           {{"key", V::string, true, "the key"},
            {"url", V::string, false, "the Redis holding it (default: the session's)"},
            {"field", V::string, false, "a hash field holding when it was computed (epoch s, ms or ISO 8601)"},
            {"ttl", V::duration, false, "the TTL the application sets: age = ttl - the TTL left"},
            {"max_age", V::duration, false, "older than this is stale (default 10m)"}},
           {{"exists", V::boolean, "the key exists"},
            {"type", V::string, "its type (none when missing)"},
            {"ttl_ms", V::integer, "TTL left; null without one"},
            {"idle_ms", V::integer, "OBJECT IDLETIME; null when the eviction policy is LFU"},
            {"timestamp_ms", V::integer, "the field's timestamp"},
            {"age_ms", V::integer, "its age"},
            {"age_from", V::string, "field, ttl or idletime"},
            {"fresh", V::boolean, "age within max_age"},
            {"max_age_ms", V::integer, "the limit"}},
           cache_key});
  reg.add({"cache.delete", "delete a cached key (UNLINK) so the application recomputes it", Effect::changes,
           {{"key", V::string, true, "the key"}, {"url", V::string, false, "the Redis holding it"}},
           {{"existed", V::boolean, "the key existed"}, {"deleted", V::boolean, "it was deleted"}}, cache_delete});
}

}  // namespace opsctl::runbook::actions
