#include "cmd/queue/thresholds.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "util/duration.h"
#include "util/text.h"

namespace opsctl::cmd {
namespace {

using Kind = ThresholdFlags::Kind;

struct Spec {
  const char* name;
  Kind kind;
  std::int64_t queue::Thresholds::*member;
  const char* help;
};

const std::vector<Spec>& specs() {
  using T = queue::Thresholds;
  static const std::vector<Spec> s = {
      {"warn-wait", Kind::count, &T::warn_wait, "backlog warning above this many jobs ready to run (default 10)"},
      {"crit-wait", Kind::count, &T::crit_wait, "backlog critical above this many jobs ready to run (default 50)"},
      {"warn-wait-age", Kind::duration, &T::warn_wait_age_ms,
       "the backlog warning waits until the oldest job has waited this long, unless no worker is connected (default 5m)"},
      {"warn-failed", Kind::count, &T::warn_failed, "warning above this many failures within --window (default 5)"},
      {"crit-failed", Kind::count, &T::crit_failed, "critical above this many failures within --window (default 20)"},
      {"window", Kind::duration, &T::window_ms, "window of failures, throughput and processing time (default 15m)"},
      {"crit-idle", Kind::duration, &T::crit_idle_ms,
       "processor down: jobs waiting this long and nothing finished for this long (default 10m)"},
      {"warn-active", Kind::duration, &T::warn_active_ms, "job timeout: warning for jobs active this long (default 5m)"},
      {"warn-processing", Kind::duration, &T::warn_processing_ms, "warning when p95 processing time is above (default 30s)"},
      {"crit-processing", Kind::duration, &T::crit_processing_ms, "critical when p95 processing time is above (default 60s)"},
      {"warn-failure-ratio", Kind::percent, &T::warn_failure_ratio,
       "warning above this percentage of failures among the jobs finished within --window (default 10)"},
      {"min-finished", Kind::count, &T::min_finished, "judge the failure ratio only from this many finished jobs on (default 20)"},
      {"scheduler-grace", Kind::duration, &T::scheduler_grace_ms,
       "a Job Scheduler whose next run is later than this is overdue (default 1m)"},
  };
  return s;
}

std::int64_t parse_value(const ThresholdFlags::Flag& f, const std::string& text) {
  if (f.kind == Kind::duration) return util::parse_duration(text).count();
  auto v = util::parse_int(text);
  if (!v || *v < 0 || (f.kind == Kind::percent && *v > 100)) {
    throw usage_error(fmt::format("--{} takes {}, not '{}'", f.name,
                                  f.kind == Kind::percent ? "a percentage from 0 to 100" : "a non-negative integer", text));
  }
  return *v;
}

const std::string* lookup(const std::map<std::string, std::string>& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() ? nullptr : &it->second;
}

// The config's text for a threshold, most specific first, and where it came from.
std::optional<std::pair<std::string, std::string>> from_config(Session& s, const std::string& name, const std::string& queue) {
  const config::Context* ctx = s.context();
  const auto& top = s.config().defaults;
  std::vector<std::pair<const config::Context*, std::string>> levels;
  if (ctx) levels.emplace_back(ctx, "context " + ctx->name);
  levels.emplace_back(&top, "top-level thresholds");
  for (const auto& [c, where] : levels) {
    auto q = c->queue_thresholds.find(queue);
    if (q != c->queue_thresholds.end()) {
      if (const auto* v = lookup(q->second, name)) return std::pair{*v, where + ", queue " + queue};
    }
    if (const auto* v = lookup(c->thresholds, name)) return std::pair{*v, where};
  }
  return std::nullopt;
}

}  // namespace

std::shared_ptr<ThresholdFlags> add_threshold_flags(CLI::App* cmd) {
  auto f = std::make_shared<ThresholdFlags>();
  for (const auto& spec : specs()) f->flags.push_back({spec.name, spec.kind, spec.member, spec.help, "", nullptr});
  for (auto& flag : f->flags) flag.option = cmd->add_option("--" + flag.name, flag.text, flag.help)->group("Thresholds");
  return f;
}

queue::Thresholds resolve_thresholds(Session& s, const ThresholdFlags& f, const std::string& queue) {
  queue::Thresholds t;
  enum Source { builtin, config, flag };
  std::map<std::string, Source> source;
  std::map<std::string, std::string> where;
  for (const auto& flag : f.flags) {
    if (flag.option->count() > 0) {
      t.*flag.member = parse_value(flag, flag.text);
      source[flag.name] = Source::flag;
    } else if (auto c = from_config(s, flag.name, queue)) {
      try {
        t.*flag.member = parse_value(flag, c->first);
      } catch (const Error& e) {
        throw config_error(fmt::format("{}: {}: threshold {}: {}", s.config_path().string(), c->second, flag.name, e.what()));
      }
      source[flag.name] = Source::config;
      where[flag.name] = c->second;
    }
  }
  // A warning threshold above its critical one: an error where both come from the same place, else
  // the one set closer to the command line wins and the other follows it (--crit-wait 5 alone
  // warns at 5 too; warn-wait: 100 alone in the config raises the critical default with it).
  for (auto [warn, crit, w, c] : {std::tuple{&t.warn_wait, &t.crit_wait, "warn-wait", "crit-wait"},
                                  std::tuple{&t.warn_failed, &t.crit_failed, "warn-failed", "crit-failed"},
                                  std::tuple{&t.warn_processing_ms, &t.crit_processing_ms, "warn-processing", "crit-processing"}}) {
    if (*warn <= *crit) continue;
    Source sw = source.count(w) ? source[w] : Source::builtin, sc = source.count(c) ? source[c] : Source::builtin;
    if (sw == sc && sw == Source::flag) throw usage_error(fmt::format("--{} must not be above --{}", w, c));
    if (sw == sc) {
      throw config_error(fmt::format("{}: {}: threshold {} must not be above {}", s.config_path().string(), where[w], w, c));
    }
    if (sw > sc) *crit = *warn;
    else *warn = *crit;
  }
  if (t.window_ms <= 0) throw usage_error("--window must be longer than 0");
  return t;
}

void warn_unknown_thresholds(Session& s, const ThresholdFlags& f) {
  std::vector<std::string> known;
  for (const auto& flag : f.flags) known.push_back(flag.name);
  auto check = [&](const std::map<std::string, std::string>& m, const std::string& where) {
    for (const auto& [name, value] : m) {
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      std::string best = util::closest_match(name, known);
      s.io().err << fmt::format("opsctl: warning: {}: {}: unknown threshold '{}' is ignored{}\n", s.config_path().string(),
                                where, name, best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best));
    }
  };
  std::vector<std::pair<const config::Context*, std::string>> levels{{&s.config().defaults, "top-level thresholds"}};
  if (const config::Context* ctx = s.context()) levels.emplace_back(ctx, "context " + ctx->name);
  for (const auto& [c, where] : levels) {
    check(c->thresholds, where);
    for (const auto& [queue, values] : c->queue_thresholds) check(values, where + ", queue " + queue);
  }
}

}  // namespace opsctl::cmd
