#include "cmd/top/fetch.h"

#include <future>

#include <fmt/format.h>

#include "cmd/queue/probe_all.h"
#include "core/error.h"
#include "queue/json.h"
#include "util/redact.h"

namespace opsctl::cmd::top_view {

Fetcher::Fetcher(const GlobalOptions& globals, const Io& io, std::vector<std::string> contexts, Settings settings)
    : io_{out_, err_, in_, false, false, false, io.env, io.now_ms}, names_(std::move(contexts)), settings_(std::move(settings)) {
  if (names_.empty()) {
    ctxs_.push_back({"", globals, nullptr, {}});
  } else {
    for (const auto& n : names_) {
      GlobalOptions g = globals;
      g.context = n;
      ctxs_.push_back({n, g, nullptr, {}});
    }
  }
}

Fetcher::Ctx& Fetcher::find(const std::string& context) {
  for (auto& c : ctxs_) {
    if (c.name == context) return c;
  }
  throw Error(ExitCode::unknown, ErrorKind::internal, fmt::format("no context '{}' in this view", context));
}

std::vector<top::QueueSample> Fetcher::read(Ctx& c) {
  // A failure drops the session: the next tick connects afresh (a restarted server, a failover).
  return with_session(c, [&](Session& s) {
    std::vector<top::QueueSample> out;
    for (const auto& q : probe_prefix(s, *settings_.thresholds, s.prefix(), settings_.sample)) {
      out.push_back(top::sample_of(q.figures, q.verdict, c.name));
    }
    return out;
  });
}

void Fetcher::tick(top::Snapshot& snap, Failure failure) {
  const auto start = io_.now_ms();
  std::vector<std::future<std::vector<top::QueueSample>>> futures;
  for (auto& c : ctxs_) futures.push_back(std::async(std::launch::async, [this, &c] { return read(c); }));
  std::vector<std::pair<std::string, std::string>> errors;
  for (std::size_t i = 0; i < ctxs_.size(); ++i) {
    try {
      ctxs_[i].last = futures[i].get();
    } catch (const std::exception& e) {
      if (failure == Failure::raise && !fleet()) throw;
      errors.emplace_back(ctxs_[i].name, util::redact(e.what()));
    }
  }
  const auto end = io_.now_ms();
  snap.tried_at_ms = end;
  snap.fetch_ms = end - start;
  if (!fleet() && !errors.empty()) {
    snap.error = errors.front().second;  // the previous rows stay, now stale
    snap.status = Status::critical;
    return;
  }
  std::vector<top::QueueSample> all;
  for (const auto& c : ctxs_) all.insert(all.end(), c.last.begin(), c.last.end());
  snap.rows = rates_.update(all, end);
  snap.context_errors = errors;
  snap.error.clear();
  snap.good_at_ms = end;
  snap.status = errors.empty() ? Status::ok : Status::critical;
  for (const auto& r : snap.rows) snap.status = worst(snap.status, r.s.status);
}

top::Drill Fetcher::drill(const std::string& context, const std::string& queue) {
  return with_session(find(context), [&](Session& s) {
    queue::InspectOptions o;
    o.ref = {s.prefix(), queue};
    o.thresholds = resolve_thresholds(s, *settings_.thresholds, queue);
    o.state = "failed";
    o.limit = 200;
    o.now_ms = io_.now_ms();
    auto failed = s.queues().inspect(o);
    o.state = "delayed";
    o.limit = 3;
    o.failure_sample = 0;
    auto delayed = s.queues().inspect(o);
    return top::make_drill(failed, delayed.jobs);
  });
}

std::optional<nlohmann::json> Fetcher::job(const std::string& context, const std::string& queue, const std::string& id) {
  return with_session(find(context), [&](Session& s) -> std::optional<nlohmann::json> {
    queue::QueueRef ref{s.prefix(), queue};
    auto job = s.queues().job(ref, s.queues().shape(ref), id);
    if (!job) return std::nullopt;
    return queue::to_json(*job, ref);
  });
}

db::PoolReport Fetcher::pool(const std::string& context) {
  return with_session(find(context), [&](Session& s) {
    db::PoolInput in = db::read_pool(s.pg());
    if (!settings_.pgbouncer.empty()) {
      pg::ConnectOptions o;
      o.conninfo = settings_.pgbouncer;
      o.source = "--pgbouncer";
      o.timeout = s.timeout();
      in.pooler = db::read_pooler(o);
    }
    return db::diagnose_pool(in, settings_.pool);
  });
}

std::string Fetcher::drain_stderr() {
  std::string s = err_.str();
  err_.str("");
  return s;
}

}  // namespace opsctl::cmd::top_view
