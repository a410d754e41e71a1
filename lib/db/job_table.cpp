#include "db/job_table.h"

#include <cctype>

#include <fmt/format.h>

#include "core/error.h"
#include "db/session_filter.h"

namespace opsctl::db {
namespace {

[[noreturn]] void bad_name(std::string_view what, std::string_view text, std::string_view why) {
  throw usage_error(fmt::format("{} '{}': {}", what, text, why));
}

std::string qualified(const std::vector<std::string>& parts, const QuoteIdentifier& quote) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '.';
    out += quote(p);
  }
  return out;
}

std::string column(const std::string& name, std::string_view flag, const QuoteIdentifier& quote) {
  return quote(parse_qualified_name(name, flag, 1).front());
}

}  // namespace

std::vector<std::string> parse_qualified_name(std::string_view text, std::string_view what, std::size_t max_parts) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  for (;;) {
    std::string part;
    if (i < text.size() && text[i] == '"') {
      for (++i;; ++i) {
        if (i >= text.size()) bad_name(what, text, "unterminated quote");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') { part += '"'; ++i; continue; }
          ++i;
          break;
        }
        part += text[i];
      }
      if (part.empty()) bad_name(what, text, "empty quoted name");
    } else {
      while (i < text.size() && text[i] != '.') {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (text[i] == '"' || std::isspace(c)) bad_name(what, text, "quote names with spaces or quotes: '\"My Jobs\"'");
        part += static_cast<char>(std::tolower(c));  // SQL folds unquoted names
        ++i;
      }
      if (part.empty()) bad_name(what, text, "empty name");
    }
    parts.push_back(std::move(part));
    if (i == text.size()) break;
    if (text[i] != '.') bad_name(what, text, "expected '.' after a quoted name");
    ++i;
    if (i == text.size()) bad_name(what, text, "empty name after '.'");
  }
  if (parts.size() > max_parts) {
    bad_name(what, text, max_parts == 1 ? "expected a column name" : "expected TABLE or SCHEMA.TABLE");
  }
  return parts;
}

JobTableSql job_table_sql(const JobTableSpec& spec, const QuoteIdentifier& quote, std::size_t sample) {
  const std::string t = qualified(parse_qualified_name(spec.table, "--table"), quote);
  const std::string id = column(spec.id_column, "--id-column", quote);
  const std::string st = column(spec.status_column, "--status-column", quote);
  const std::string started = column(spec.started_column, "--started-column", quote);
  // $1 the running value and $3 the new status take the status column's type (text, enum, int).
  const std::string cond = fmt::format("{st} = $1 AND {started} < now() - make_interval(secs => $2::float8)",
                                       fmt::arg("st", st), fmt::arg("started", started));
  JobTableSql q;
  q.target = t;
  q.count = fmt::format("SELECT count(*) AS n FROM {} WHERE {}", t, cond);
  q.preview = fmt::format(
      "SELECT {id}::text AS id, {st}::text AS status, {started}::text AS started_at, "
      "extract(epoch FROM now() - {started})::float8 AS age_s FROM {t} WHERE {cond} ORDER BY {started} LIMIT {n}",
      fmt::arg("id", id), fmt::arg("st", st), fmt::arg("started", started), fmt::arg("t", t), fmt::arg("cond", cond),
      fmt::arg("n", sample));
  std::string set = fmt::format("{} = $3", st);
  if (!spec.reason_column.empty()) set += fmt::format(", {} = $4", column(spec.reason_column, "--reason-column", quote));
  const std::string limit = spec.limit > 0 ? fmt::format(" LIMIT {}", spec.limit) : "";
  // The CTE locks the stuck rows it can; rows another transaction holds are skipped, not waited
  // for. The UPDATE re-checks the condition on each row it changes.
  q.update = fmt::format(
      "WITH stuck AS (SELECT {id} AS stuck_id FROM {t} WHERE {cond} ORDER BY {started}{limit} FOR UPDATE SKIP LOCKED) "
      "UPDATE {t} AS j SET {set} FROM stuck WHERE j.{id} = stuck.stuck_id AND j.{cond_j} RETURNING j.{id}::text AS id",
      fmt::arg("id", id), fmt::arg("t", t), fmt::arg("cond", cond), fmt::arg("started", started),
      fmt::arg("limit", limit), fmt::arg("set", set),
      fmt::arg("cond_j", fmt::format("{st} = $1 AND j.{started} < now() - make_interval(secs => $2::float8)",
                                     fmt::arg("st", st), fmt::arg("started", started))));
  q.unlocked = fmt::format("SELECT count(*) AS n FROM (SELECT 1 FROM {} WHERE {} FOR UPDATE SKIP LOCKED) x", t, cond);
  return q;
}

std::vector<pg::Param> job_table_params(const JobTableSpec& spec, bool for_update) {
  std::vector<pg::Param> p{spec.running_value, seconds_param(spec.older_than)};
  if (for_update) {
    p.emplace_back(spec.set_status);
    if (!spec.reason_column.empty()) p.emplace_back(spec.reason);
  }
  return p;
}

UnstickReport preview_unstick(pg::Connection& c, const JobTableSpec& spec, std::size_t sample) {
  const JobTableSql q = job_table_sql(spec, [&](std::string_view n) { return c.escape_identifier(n); }, sample);
  const auto params = job_table_params(spec, false);
  UnstickReport rep;
  pg::Transaction tx(c, "BEGIN READ ONLY");
  rep.matched = pg::Row(c.query(q.count, params), 0).integer("n").value_or(0);
  pg::Result rows = c.query(q.preview, params);
  for (std::size_t i = 0; i < rows.rows.size(); ++i) {
    pg::Row r(rows, i);
    rep.rows.push_back({r.text("id"), r.text("status"), r.text("started_at"), r.number("age_s").value_or(0)});
  }
  tx.commit();
  if (spec.limit > 0 && rep.matched > spec.limit) rep.beyond_limit = rep.matched - spec.limit;
  return rep;
}

UnstickReport unstick_jobs(pg::Connection& c, const JobTableSpec& spec) {
  const JobTableSql q = job_table_sql(spec, [&](std::string_view n) { return c.escape_identifier(n); }, 0);
  UnstickReport rep;
  pg::Transaction tx(c, "BEGIN READ WRITE");
  pg::Result updated = c.query(q.update, job_table_params(spec, true));
  for (std::size_t i = 0; i < updated.rows.size(); ++i) rep.updated_ids.push_back(pg::Row(updated, i).text("id"));
  const auto params = job_table_params(spec, false);
  // What still matches was either held by another transaction or left out by --limit.
  const std::int64_t left = pg::Row(c.query(q.count, params), 0).integer("n").value_or(0);
  const std::int64_t unlocked = left > 0 ? pg::Row(c.query(q.unlocked, params), 0).integer("n").value_or(0) : 0;
  tx.commit();
  rep.locked = left - unlocked;
  rep.beyond_limit = unlocked;
  rep.matched = static_cast<std::int64_t>(rep.updated_ids.size()) + left;
  return rep;
}

}  // namespace opsctl::db
