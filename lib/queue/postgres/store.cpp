// QueueStore over BullMQ's PostgreSQL backend: schema detection and the read verbs. The SQL
// follows docs/bullmq-postgres.md sections 1.2, 2, 4.2, 5 and 6.1; every value is a parameter, the
// schema an identifier quoted by libpq.
#include "queue/postgres/store.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "queue/scheduler_judge.h"
#include "util/text.h"

namespace opsctl::queue {

const std::vector<int>& supported_pg_schema_versions() {
  static const std::vector<int> v = {11};
  return v;
}

const std::vector<std::string>& known_pg_migrations() {
  static const std::vector<std::string> names = {
      "0001_schema",          "0002_functions",        "0003_dedup_stale_key",
      "0004_relay",           "0005_flow_parent_release", "0006_dedup_reschedule",
      "0007_obliterate_dedup_lock_order", "0008_bulk_dedup_lock_order",
      "0009_obliterate_bounded_dedup_locks", "0010_obliterate_finalization_lock",
      "0011_obliterate_producer_lock"};
  return names;
}

namespace {

constexpr std::int64_t kLatestMs = 100'000'000'000'000;
constexpr std::int64_t kLimiterMax = 9007199254740991;

std::optional<std::int64_t> plausible(std::optional<std::int64_t> ms) {
  if (ms && (*ms < 0 || *ms > kLatestMs)) return std::nullopt;
  return ms;
}

// The state as BullMQ's getJobState names it: waiting with a priority is prioritized.
std::string public_state(const pg::Row& r) {
  std::string state = r.text("state", "unknown");
  if (state == "waiting" && r.integer("priority").value_or(0) > 0) return "prioritized";
  return state;
}

nlohmann::json json_column(const pg::Value& v) {
  if (!v) return nullptr;
  auto j = nlohmann::json::parse(*v, nullptr, false);
  if (j.is_discarded()) return *v;
  return j;
}

class PgStore final : public QueueStore {
 public:
  explicit PgStore(pg::Connection& c) : c_(c) {}

  std::string display() const override { return c_.target(); }
  std::string kind() const override { return "postgres"; }
  std::int64_t now_ms() override {
    auto r = c_.query("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now");
    return pg::Row(r, 0).integer("now").value_or(0);
  }

  std::vector<std::string> discover(const std::string& schema) override {
    const std::string S = qualified(schema);
    auto r = c_.query(fmt::format(
        "WITH RECURSIVE j AS ("
        " (SELECT queue FROM {0}.job ORDER BY queue LIMIT 1)"
        " UNION ALL"
        " SELECT (SELECT queue FROM {0}.job WHERE queue > j.queue ORDER BY queue LIMIT 1) FROM j WHERE j.queue IS NOT NULL)"
        " SELECT q.queue FROM (SELECT queue FROM j WHERE queue IS NOT NULL"
        " UNION SELECT queue FROM {0}.meta UNION SELECT queue FROM {0}.scheduler) q ORDER BY 1",
        S));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < r.rows.size(); ++i) out.push_back(pg::Row(r, i).text("queue"));
    return out;
  }

  QueueShape shape(const QueueRef& ref) override {
    const std::string S = qualified(ref.prefix);
    auto r = c_.query(fmt::format(
        "SELECT EXISTS (SELECT 1 FROM {0}.job WHERE queue = $1) OR EXISTS (SELECT 1 FROM {0}.meta WHERE queue = $1)"
        " OR EXISTS (SELECT 1 FROM {0}.scheduler WHERE queue = $1) AS exists,"
        " (SELECT value FROM {0}.meta WHERE queue = $1 AND field = 'version') AS version,"
        " (SELECT value FROM {0}.meta WHERE queue = $1 AND field = 'paused') AS paused,"
        " (SELECT value FROM {0}.meta WHERE queue = $1 AND field = 'concurrency') AS concurrency",
        S),
        {ref.name});
    pg::Row row(r, 0);
    QueueShape s;
    s.layout = Layout::bullmq;
    s.exists = row.boolean("exists");
    s.version = row.value("version");
    const auto& paused = row.value("paused");
    s.paused = paused.has_value();  // isPaused(): the field's presence
    if (paused && *paused != "1") {
      s.problems.push_back({"", ref.display(), "paused",
                            fmt::format("meta field paused is '{}', not '1': BullMQ reports the queue paused while its "
                                        "workers keep claiming jobs", *paused)});
    }
    if (auto c = row.value("concurrency")) s.concurrency = util::parse_int(*c);
    return s;
  }

  std::vector<QueueFigures> probe(const std::vector<QueueRef>& refs, const ProbeOptions& o) override {
    std::vector<QueueFigures> out;
    for (const auto& ref : refs) out.push_back(probe_one(ref, o));
    return out;
  }

  InspectResult inspect(const InspectOptions& o) override {
    InspectResult r;
    r.ref = o.ref;
    r.thresholds = o.thresholds;
    ProbeOptions po;
    po.window_ms = o.thresholds.window_ms;
    po.scheduler_grace_ms = o.thresholds.scheduler_grace_ms;
    po.local_now_ms = o.now_ms;
    r.figures = probe_one(o.ref, po);
    if (!r.figures.shape.exists) throw_not_found(o.ref);
    const auto& f = r.figures;
    r.now_ms = f.now_ms;
    r.shape = f.shape;
    r.counts = f.counts;
    r.workers = f.workers;
    r.oldest_waiting_id = f.oldest_waiting_id;
    r.oldest_waiting_timestamp = f.oldest_waiting_timestamp;
    r.stalled_checked = f.active_checked;
    for (const auto& j : f.active) {
      if (j.lock_ttl_ms) continue;
      ++r.stalled;
      if (r.stalled_ids.size() < 20) r.stalled_ids.push_back(j.id);
    }
    add_failures(r, o.failure_sample);
    if (o.state) add_jobs(r, o);
    if (f.schedulers > 0) {
      r.schedulers = schedulers(o.ref, {f.now_ms, o.thresholds.scheduler_grace_ms, 1000});
      r.figures.schedulers_overdue = r.schedulers->overdue;
      r.figures.schedulers_broken = r.schedulers->broken;
      r.figures.schedulers_read = true;
      r.figures.problems.insert(r.figures.problems.end(), r.schedulers->problems.begin(), r.schedulers->problems.end());
    }
    r.problems = r.figures.problems;
    auto verdict = judge(r.figures, r.thresholds);
    r.status = verdict.status;
    r.summary = std::move(verdict.summary);
    r.checks = std::move(verdict.checks);
    return r;
  }

  SchedulersResult schedulers(const QueueRef& ref, const SchedulerOptions& o) override {
    const std::string S = qualified(ref.prefix);
    QueueShape sh = shape(ref);
    if (!sh.exists) throw_not_found(ref);
    SchedulersResult r;
    r.problems = sh.problems;
    r.queue_paused = sh.paused;
    auto head = c_.query(fmt::format("SELECT count(*) AS total, count(*) FILTER (WHERE next_run_ms < $2::bigint) AS late "
                                     "FROM {}.scheduler WHERE queue = $1",
                                     S),
                         {ref.name, std::to_string(o.now_ms - o.grace_ms)});
    r.total = pg::Row(head, 0).integer("total").value_or(0);
    r.late = pg::Row(head, 0).integer("late").value_or(0);
    auto rows = c_.query(fmt::format(
        "SELECT s.scheduler_id, s.name, s.pattern, s.tz, s.every_ms, s.iteration_count, s.limit_count, s.start_date_ms,"
        " s.end_date_ms, s.offset_ms, s.next_run_ms, j.id AS next_job_id, j.state AS state, j.priority,"
        " j.processed_at_ms FROM {0}.scheduler s LEFT JOIN {0}.job j ON j.queue = s.queue AND"
        " j.id = 'repeat:' || s.scheduler_id || ':' || s.next_run_ms WHERE s.queue = $1"
        " ORDER BY s.next_run_ms NULLS LAST, s.scheduler_id LIMIT $2::bigint",
        S),
        {ref.name, std::to_string(o.limit)});
    for (std::size_t i = 0; i < rows.rows.size(); ++i) {
      pg::Row row(rows, i);
      SchedulerInfo s;
      s.id = row.text("scheduler_id");
      s.name = row.value("name");
      s.pattern = row.value("pattern");
      s.tz = row.value("tz");
      s.every_ms = row.integer("every_ms");
      s.iterations = row.integer("iteration_count");
      s.limit = row.integer("limit_count");
      s.start_date_ms = row.integer("start_date_ms");
      s.end_date_ms = row.integer("end_date_ms");
      s.offset_ms = row.integer("offset_ms");
      s.next_run_ms = row.integer("next_run_ms");
      if (s.next_run_ms) s.next_job_id = scheduler_job_id(s.id, *s.next_run_ms);
      if (row.value("next_job_id")) {
        s.next_job_state = public_state(row);
        s.next_job_processed_on_ms = row.integer("processed_at_ms");
      }
      judge_scheduler(s, o.now_ms, o.grace_ms, r.queue_paused);
      r.schedulers.push_back(std::move(s));
    }
    for (const auto& s : r.schedulers) {
      r.overdue += s.overdue ? 1 : 0;
      r.broken += s.broken ? 1 : 0;
      r.ended += s.ended ? 1 : 0;
    }
    r.status = r.broken > 0 ? Status::critical : r.overdue > 0 ? Status::warning : Status::ok;
    if (!r.problems.empty()) r.status = worst(r.status, Status::unknown);
    std::vector<std::string> parts{fmt::format("{} scheduler{}", r.total, r.total == 1 ? "" : "s"),
                                   fmt::format("{} overdue", r.overdue), fmt::format("{} broken", r.broken)};
    if (r.ended > 0) parts.push_back(fmt::format("{} ended", r.ended));
    if (r.total > static_cast<std::int64_t>(r.schedulers.size())) {
      parts.push_back(fmt::format("{} read, {} late by more than {}ms", r.schedulers.size(), r.late, o.grace_ms));
    }
    if (r.overdue > 0 && r.queue_paused) parts.push_back("queue PAUSED");
    if (!r.problems.empty()) parts.push_back(fmt::format("{} problem{}", r.problems.size(), r.problems.size() == 1 ? "" : "s"));
    r.summary = fmt::format("{}", fmt::join(parts, ", "));
    return r;
  }

  std::optional<JobDetail> job(const QueueRef& ref, const QueueShape&, const std::string& id) override {
    const std::string S = qualified(ref.prefix);
    auto r = c_.query(fmt::format(
        "SELECT j.*, (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms,"
        " (SELECT count(*) FROM {0}.job_log l WHERE l.queue = j.queue AND l.job_id = j.id) AS log_count"
        " FROM {0}.job j WHERE j.queue = $1 AND j.id = $2",
        S),
        {ref.name, id});
    if (r.rows.empty()) return std::nullopt;
    pg::Row row(r, 0);
    JobDetail d;
    d.id = id;
    d.has_hash = true;
    d.state = public_state(row);
    d.name = row.value("name");
    d.data = json_column(row.value("data"));
    if (d.data.is_null()) d.data = nlohmann::json::object();
    d.opts = json_column(row.value("opts"));
    if (d.opts.is_null()) d.opts = nlohmann::json::object();
    d.returnvalue = json_column(row.value("return_value"));
    d.progress = json_column(row.value("progress"));
    if (d.progress.is_null()) d.progress = 0;
    d.attempts_made = row.integer("attempts_made").value_or(0);
    d.attempts_started = row.integer("attempts_started").value_or(0);
    d.stalled_count = row.integer("stalled_count").value_or(0);
    d.failed_reason = row.value("failed_reason");
    d.will_fail_reason = row.value("deferred_failure");
    auto st = json_column(row.value("stacktrace"));
    d.stacktrace = st.is_array() ? st : nlohmann::json::array();
    d.timestamp = row.integer("added_at_ms");
    d.processed_on = row.integer("processed_at_ms");
    d.finished_on = row.integer("finished_at_ms");
    d.delay = row.integer("delay_ms");
    d.priority = row.integer("priority");
    d.worker = row.value("processed_by");
    d.parent_key = row.value("parent_key");
    d.log_count = row.integer("log_count").value_or(0);
    const auto now = row.integer("now_ms").value_or(0);
    if (d.state == "active") {
      if (auto until = row.integer("locked_until_ms"); until && row.value("lock_token") && *until > now) {
        d.lock_ttl_ms = *until - now;
      } else {
        d.problems.push_back({id, "", "locked_until_ms",
                              "active with an expired lock: its worker stopped renewing it (stuck job)"});
      }
    }
    auto logs = c_.query(fmt::format("SELECT row FROM (SELECT idx, row FROM {}.job_log WHERE queue = $1 AND job_id = $2 "
                                     "ORDER BY idx DESC LIMIT 100) l ORDER BY idx",
                                     S),
                         {ref.name, id});
    for (std::size_t i = 0; i < logs.rows.size(); ++i) d.logs.push_back(pg::Row(logs, i).text("row"));
    return d;
  }

  std::unique_ptr<mutation::Operation> retry(const QueueRetryOptions&) override { not_yet("queue retry"); }
  MutationResult plan_clear(const ClearOptions&, DryRun, const Progress&) override { not_yet("queue clear"); }
  MutationResult clear(const ClearOptions&, const Progress&) override { not_yet("queue clear"); }
  MutationResult plan_obliterate(const ObliterateOptions&, std::int64_t&) override { not_yet("queue clear --all"); }
  MutationResult obliterate(const ObliterateOptions&, const Progress&) override { not_yet("queue clear --all"); }
  MutationResult pause(const PauseOptions&) override { not_yet("queue pause"); }
  MutationResult resume(const PauseOptions&) override { not_yet("queue resume"); }
  MutationResult promote(const PromoteOptions&) override { not_yet("queue promote"); }
  MutationResult plan_job_retry(const JobRetryOptions&) override { not_yet("job retry"); }
  MutationResult job_retry(const JobRetryOptions&) override { not_yet("job retry"); }
  MutationResult job_remove(const QueueRef&, const std::vector<std::string>&, DryRun) override { not_yet("job remove"); }
  MutationResult job_promote(const QueueRef&, const std::vector<std::string>&, DryRun) override { not_yet("job promote"); }
  MutationResult unstick(const UnstickOptions&) override { not_yet("job unstick"); }

 private:
  [[noreturn]] void not_yet(const char* verb) const {
    throw unknown_error(fmt::format("postgres {}: {} is not supported on the PostgreSQL backend yet", c_.target(), verb));
  }

  [[noreturn]] void throw_not_found(const QueueRef& ref) {
    std::string hint = util::closest_match(ref.name, discover(ref.prefix));
    throw critical_error(fmt::format("postgres {}: queue '{}' not found in schema '{}'{}", c_.target(), ref.name, ref.prefix,
                                     hint.empty() ? " (opsctl queue list shows the queues)"
                                                  : fmt::format(" (did you mean '{}'?)", hint)));
  }

  // The schema as an SQL identifier, once its BullMQ version is known to be supported.
  std::string qualified(const std::string& schema) {
    if (auto it = checked_.find(schema); it != checked_.end()) return it->second;
    auto r = c_.query("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS has_schema,"
                      " to_regclass(format('%I.migration', $1::text)) IS NOT NULL AS has_ledger",
                      {schema});
    pg::Row head(r, 0);
    if (!head.boolean("has_schema")) {
      throw critical_error(fmt::format("postgres {}: schema {} does not exist: no BullMQ queues there (queue_schema in "
                                       "the context names BullMQ's schema; default {})",
                                       c_.target(), schema, kDefaultPgSchema));
    }
    const std::string S = c_.escape_identifier(schema);
    if (!head.boolean("has_ledger")) {
      throw critical_error(fmt::format("postgres {}: schema {} is not a BullMQ schema (no {}.migration table)", c_.target(),
                                       schema, schema));
    }
    auto v = c_.query(fmt::format("SELECT max(version) AS version, max(min_client_version) AS min_client,"
                                  " array_to_json(array_agg(name ORDER BY version))::text AS names FROM {}.migration",
                                  S));
    pg::Row row(v, 0);
    auto version = row.integer("version").value_or(0);
    const auto& supported = supported_pg_schema_versions();
    auto refuse = [&](const std::string& why) {
      throw unknown_error(fmt::format("postgres {}: BullMQ schema version {} not supported; supported: {}{}", c_.target(),
                                      version, fmt::join(supported, ", "), why));
    };
    if (std::find(supported.begin(), supported.end(), version) == supported.end()) refuse("");
    if (row.integer("min_client").value_or(0) > 6) {
      refuse(fmt::format(" (it needs BullMQ {} or newer)", *row.integer("min_client")));
    }
    auto names = nlohmann::json::parse(row.text("names", "[]"), nullptr, false);
    const auto& known = known_pg_migrations();
    if (names.is_array()) {
      for (std::size_t i = 0; i < names.size(); ++i) {
        std::string name = names[i].is_string() ? names[i].get<std::string>() : "";
        if (i >= known.size() || name != known[i]) refuse(fmt::format(" (unknown migration {} at version {})", name, i + 1));
      }
    }
    checked_[schema] = S;
    return S;
  }

  QueueFigures probe_one(const QueueRef& ref, const ProbeOptions& o) {
    const std::string S = qualified(ref.prefix);
    QueueFigures q;
    q.ref = ref;
    q.now_ms = now_ms();
    q.server_clock = true;
    q.local_now_ms = o.local_now_ms;
    q.window_ms = o.window_ms;
    q.shape = shape(ref);
    q.problems = q.shape.problems;
    if (!q.shape.exists) return q;
    const std::string now = std::to_string(q.now_ms), since = std::to_string(q.now_ms - q.window_ms);

    auto c = c_.query(fmt::format(
        "SELECT count(*) FILTER (WHERE state = 'active') AS active,"
        " count(*) FILTER (WHERE state = 'completed') AS completed,"
        " count(*) FILTER (WHERE state = 'delayed') AS delayed,"
        " count(*) FILTER (WHERE state = 'failed') AS failed,"
        " count(*) FILTER (WHERE state = 'waiting' AND priority > 0) AS prioritized,"
        " count(*) FILTER (WHERE state = 'waiting' AND priority = 0) AS waiting,"
        " count(*) FILTER (WHERE state = 'waiting-children') AS \"waiting-children\","
        " count(*) FILTER (WHERE state = 'delayed' AND process_at_ms <= $2::bigint) AS due,"
        " min(process_at_ms) FILTER (WHERE state = 'delayed' AND process_at_ms <= $2::bigint) AS oldest_due,"
        " count(*) FILTER (WHERE state = 'completed' AND finished_at_ms >= $3::bigint) AS completed_window,"
        " count(*) FILTER (WHERE state = 'failed' AND finished_at_ms >= $3::bigint) AS failed_window,"
        " min(finished_at_ms) FILTER (WHERE state = 'completed') AS completed_oldest,"
        " max(finished_at_ms) FILTER (WHERE state = 'completed') AS completed_newest,"
        " min(finished_at_ms) FILTER (WHERE state = 'failed') AS failed_oldest,"
        " max(finished_at_ms) FILTER (WHERE state = 'failed') AS failed_newest,"
        " count(*) AS held,"
        " (SELECT COALESCE(s.last_value, 0) FROM pg_sequences s"
        "   WHERE s.schemaname = $4 AND s.sequencename = {0}.job_id_seq_name($1)) AS ever"
        " FROM {0}.job WHERE queue = $1",
        S),
        {ref.name, now, since, ref.prefix});
    pg::Row cr(c, 0);
    for (const auto& state : bullmq_states()) q.counts.emplace_back(state, cr.integer(state).value_or(0));
    q.due_delayed = cr.integer("due").value_or(0);
    q.oldest_due_ms = plausible(cr.integer("oldest_due"));
    auto ever = cr.integer("ever");
    // Custom ids do not advance the counter: then held can exceed it, as on Redis.
    q.jobs_removed = !ever || cr.integer("held").value_or(0) < *ever;
    for (auto [name, f] : {std::pair{"completed", &q.completed}, {"failed", &q.failed}}) {
      f->retained = count_of(q.counts, name);
      f->in_window = cr.integer(std::string(name) + "_window").value_or(0);
      f->oldest_ms = plausible(cr.integer(std::string(name) + "_oldest"));
      f->newest_ms = plausible(cr.integer(std::string(name) + "_newest"));
      f->exact = !q.jobs_removed || (f->oldest_ms && *f->oldest_ms < q.now_ms - q.window_ms);
      f->source = f->exact ? "set" : "lower-bound";
    }

    // Workers: the sessions BullMQ's getWorkers() counts (application_name, docs section 4.2).
    auto w = c_.query(
        "SELECT application_name, host(client_addr) AS addr, client_port,"
        " (extract(epoch FROM clock_timestamp() - COALESCE(state_change, backend_start)))::bigint AS idle_s"
        " FROM pg_stat_activity WHERE datname = current_database()"
        " AND (application_name = $1 OR starts_with(application_name, $1 || ':w:')) ORDER BY pid",
        {ref.name});
    q.workers.emplace();
    for (std::size_t i = 0; i < w.rows.size(); ++i) {
      pg::Row row(w, i);
      WorkerInfo info;
      info.rawname = row.text("application_name");
      if (row.value("addr")) info.addr = row.text("addr") + ":" + row.text("client_port");
      else info.addr = "local";
      info.idle_s = row.integer("idle_s");
      q.workers->push_back(std::move(info));
    }

    // The oldest job ready to run: the next waiting and the next prioritized one.
    auto ow = c_.query(fmt::format(
        "(SELECT id, added_at_ms, delay_ms FROM {0}.job WHERE queue = $1 AND state = 'waiting' AND priority = 0"
        " ORDER BY seq LIMIT 1) UNION ALL (SELECT id, added_at_ms, delay_ms FROM {0}.job WHERE queue = $1"
        " AND state = 'waiting' AND priority > 0 ORDER BY priority, seq LIMIT 1)",
        S),
        {ref.name});
    for (std::size_t i = 0; i < ow.rows.size(); ++i) {
      pg::Row row(ow, i);
      auto ts = plausible(row.integer("added_at_ms"));
      if (!ts) continue;
      auto since_ready = ready_time(*ts, row.integer("delay_ms").value_or(0), q.now_ms);
      if (!q.oldest_waiting_since || since_ready < *q.oldest_waiting_since) {
        q.oldest_waiting_id = row.text("id");
        q.oldest_waiting_timestamp = ts;
        q.oldest_waiting_since = since_ready;
      }
    }
    if (!q.oldest_waiting_id && !ow.rows.empty()) q.oldest_waiting_id = pg::Row(ow, 0).text("id");

    // Processing and wait times of the newest completed jobs in the window.
    if (o.processing_sample > 0) {
      auto p = c_.query(fmt::format("SELECT processed_at_ms, finished_at_ms, added_at_ms, delay_ms, attempts_started"
                                    " FROM {}.job WHERE queue = $1 AND state = 'completed' AND finished_at_ms >= $2::bigint"
                                    " ORDER BY finished_at_ms DESC LIMIT $3::bigint",
                                    S),
                        {ref.name, since, std::to_string(o.processing_sample)});
      std::vector<std::int64_t> processing, wait;
      for (std::size_t i = 0; i < p.rows.size(); ++i) {
        pg::Row row(p, i);
        auto processed = plausible(row.integer("processed_at_ms")), finished = plausible(row.integer("finished_at_ms"));
        if (!processed || !finished) continue;
        processing.push_back(std::max<std::int64_t>(*finished - *processed, 0));
        if (row.integer("attempts_started").value_or(1) > 1) continue;
        if (auto ts = plausible(row.integer("added_at_ms"))) {
          auto ready = ready_time(*ts, row.integer("delay_ms").value_or(0), q.now_ms);
          wait.push_back(std::max<std::int64_t>(*processed - ready, 0));
        }
      }
      q.processing = quantiles(std::move(processing));
      q.wait = quantiles(std::move(wait));
    }

    // Active jobs and their locks: stuck = active whose lock expiry passed (database clock).
    if (o.active_sample > 0) {
      auto a = c_.query(fmt::format("SELECT id, name, processed_at_ms, locked_until_ms, lock_token IS NOT NULL AS locked"
                                    " FROM {}.job WHERE queue = $1 AND state = 'active'"
                                    " ORDER BY locked_until_ms NULLS FIRST, id LIMIT $2::bigint",
                                    S),
                        {ref.name, std::to_string(o.active_sample)});
      for (std::size_t i = 0; i < a.rows.size(); ++i) {
        pg::Row row(a, i);
        ActiveJob j;
        j.id = row.text("id");
        j.name = row.value("name");
        j.processed_on = plausible(row.integer("processed_at_ms"));
        auto until = row.integer("locked_until_ms");
        if (row.boolean("locked") && until && *until > q.now_ms) j.lock_ttl_ms = *until - q.now_ms;
        q.active.push_back(std::move(j));
      }
      q.active_checked = static_cast<std::int64_t>(q.active.size());
    }

    // Rate limit, schedulers and the newest finish in the event table.
    auto m = c_.query(fmt::format(
        "SELECT (SELECT value FROM {0}.meta WHERE queue = $1 AND field = 'max') AS max,"
        " (SELECT value FROM {0}.meta WHERE queue = $1 AND field = 'duration') AS duration,"
        " (SELECT points FROM {0}.rate_limit WHERE queue = $1 AND expire_at_ms > $2::bigint) AS points,"
        " (SELECT expire_at_ms FROM {0}.rate_limit WHERE queue = $1 AND expire_at_ms > $2::bigint) AS expire,"
        " (SELECT count(*) FROM {0}.scheduler WHERE queue = $1) AS schedulers,"
        " (SELECT count(*) FROM {0}.scheduler WHERE queue = $1 AND next_run_ms < $3::bigint) AS overdue,"
        " (SELECT max(created_at_ms) FROM (SELECT event, created_at_ms FROM {0}.event WHERE queue = $1"
        "   ORDER BY id DESC LIMIT 200) e WHERE e.event IN ('completed', 'failed')) AS last_finish",
        S),
        {ref.name, now, std::to_string(q.now_ms - o.scheduler_grace_ms)});
    pg::Row mr(m, 0);
    if (auto v = mr.value("max")) q.rate_max = util::parse_int(*v);
    if (auto v = mr.value("duration")) q.rate_duration_ms = util::parse_int(*v);
    if (auto expire = mr.integer("expire")) {
      q.limiter_ttl_ms = *expire - q.now_ms;
      q.limiter_count = mr.integer("points");
      q.rate_limited = q.limiter_count &&
                       ((q.rate_max && *q.limiter_count >= *q.rate_max) || *q.limiter_count >= kLimiterMax);
    }
    q.schedulers = mr.integer("schedulers").value_or(0);
    q.schedulers_overdue = mr.integer("overdue").value_or(0);
    q.last_event_finish_ms = plausible(mr.integer("last_finish"));
    return q;
  }

  // When a job became ready: added, or due after its delay (one it did not wait out: added).
  static std::int64_t ready_time(std::int64_t added, std::int64_t delay, std::int64_t now) {
    std::int64_t since = added + std::clamp<std::int64_t>(delay, 0, kLatestMs);
    return since > now ? added : since;
  }

  void add_failures(InspectResult& r, std::size_t sample) {
    if (sample == 0) return;
    auto f = c_.query(fmt::format("SELECT id, failed_reason FROM {}.job WHERE queue = $1 AND state = 'failed'"
                                  " ORDER BY finished_at_ms DESC NULLS LAST, id LIMIT $2::bigint",
                                  qualified(r.ref.prefix)),
                      {r.ref.name, std::to_string(sample)});
    std::map<std::string, FailureGroup> groups;
    for (std::size_t i = 0; i < f.rows.size(); ++i) {
      pg::Row row(f, i);
      std::string reason = row.text("failed_reason", "(no failedReason)");
      reason = util::truncate_utf8(reason.substr(0, reason.find('\n')), 300);
      auto& g = groups[reason];
      g.reason = reason;
      ++g.count;
      if (g.sample_ids.size() < 5) g.sample_ids.push_back(row.text("id"));
    }
    r.failures_sampled = static_cast<std::int64_t>(f.rows.size());
    for (auto& [_, g] : groups) r.failures.push_back(std::move(g));
    std::stable_sort(r.failures.begin(), r.failures.end(),
                     [](const FailureGroup& a, const FailureGroup& b) { return a.count > b.count; });
  }

  void add_jobs(InspectResult& r, const InspectOptions& o) {
    const std::string& state = *o.state;
    r.listed_state = state;
    std::string where, order;
    if (state == "waiting" || state == "paused") {
      where = "state = 'waiting' AND priority = 0";
      order = "seq";
    } else if (state == "prioritized") {
      where = "state = 'waiting' AND priority > 0";
      order = "priority, seq";
    } else if (state == "active") {
      where = "state = 'active'";
      order = "processed_at_ms, id";
    } else if (state == "completed" || state == "failed") {
      where = state == "completed" ? "state = 'completed'" : "state = 'failed'";
      order = "finished_at_ms DESC, id DESC";
    } else if (state == "delayed") {
      where = "state = 'delayed'";
      order = "process_at_ms, id";
    } else {
      where = "state = 'waiting-children'";
      order = "seq";
    }
    auto j = c_.query(fmt::format("SELECT id, name, added_at_ms, attempts_made, failed_reason, finished_at_ms FROM {}.job"
                                  " WHERE queue = $1 AND {} ORDER BY {} LIMIT $2::bigint OFFSET $3::bigint",
                                  qualified(r.ref.prefix), where, order),
                      {r.ref.name, std::to_string(o.limit), std::to_string(o.offset)});
    for (std::size_t i = 0; i < j.rows.size(); ++i) {
      pg::Row row(j, i);
      JobRow jr;
      jr.id = row.text("id");
      jr.name = row.value("name");
      jr.state = state == "paused" ? "waiting" : state;
      jr.timestamp = row.integer("added_at_ms");
      jr.attempts_made = row.integer("attempts_made").value_or(0);
      jr.failed_reason = row.value("failed_reason");
      jr.finished_on = row.integer("finished_at_ms");
      r.jobs.push_back(std::move(jr));
    }
  }

  pg::Connection& c_;
  std::map<std::string, std::string> checked_;
};

}  // namespace

std::unique_ptr<QueueStore> postgres_store(pg::Connection& conn) { return std::make_unique<PgStore>(conn); }

}  // namespace opsctl::queue
