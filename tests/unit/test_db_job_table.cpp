#include <doctest/doctest.h>

#include <libpq-fe.h>

#include "core/error.h"
#include "db/job_table.h"

using namespace opsctl::db;
using namespace std::chrono_literals;

namespace {
// Marks every identifier that went through quoting, to prove none reaches SQL raw.
std::string fake_quote(std::string_view s) { return "<" + std::string(s) + ">"; }
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_SUITE("db job table") {
  TEST_CASE("names are read as SQL reads them: unquoted folds to lower case, quoted is exact") {
    CHECK(parse_qualified_name("jobs", "--table") == std::vector<std::string>{"jobs"});
    CHECK(parse_qualified_name("Jobs", "--table") == std::vector<std::string>{"jobs"});
    CHECK(parse_qualified_name("App.Jobs", "--table") == std::vector<std::string>{"app", "jobs"});
    CHECK(parse_qualified_name("\"App\".\"My Jobs\"", "--table") == std::vector<std::string>{"App", "My Jobs"});
    CHECK(parse_qualified_name("\"a\"\"b\"", "--table") == std::vector<std::string>{"a\"b"});
    CHECK(parse_qualified_name("\"x.y\"", "--table") == std::vector<std::string>{"x.y"});
  }

  TEST_CASE("malformed names are usage errors") {
    for (const char* bad : {"", ".", "a.", ".a", "a.b.c", "\"open", "\"\"", "my jobs", "a\"b", "\"a\"x"}) {
      CHECK_THROWS_AS(parse_qualified_name(bad, "--table"), opsctl::Error);
    }
    CHECK_THROWS_AS(parse_qualified_name("a.b", "--id-column", 1), opsctl::Error);
  }

  TEST_CASE("every identifier is quoted, every value a parameter") {
    JobTableSpec spec;
    spec.table = "app.jobs";
    spec.older_than = 45min;
    spec.reason_column = "error";
    JobTableSql q = job_table_sql(spec, fake_quote, 20);
    CHECK(q.target == "<app>.<jobs>");
    CHECK(q.count == "SELECT count(*) AS n FROM <app>.<jobs> WHERE <status> = $1 AND <started_at> < now() - "
                     "make_interval(secs => $2::float8)");
    CHECK(has(q.preview, "ORDER BY <started_at> LIMIT 20"));
    CHECK(has(q.update, "FOR UPDATE SKIP LOCKED"));
    CHECK(has(q.update, "SET <status> = $3, <error> = $4"));
    CHECK(has(q.update, "j.<status> = $1 AND j.<started_at> < now()"));  // re-checked on the row it changes
    CHECK(has(q.update, "RETURNING j.<id>::text AS id"));
    CHECK(has(q.unlocked, "FOR UPDATE SKIP LOCKED"));
    for (const std::string* sql : {&q.count, &q.preview, &q.update, &q.unlocked}) {
      CHECK_FALSE(has(*sql, "running"));  // values never in the SQL text
      CHECK_FALSE(has(*sql, "failed"));
    }
    auto p = job_table_params(spec, true);
    REQUIRE(p.size() == 4);
    CHECK(*p[0] == "running");
    CHECK(*p[1] == "2700.000");
    CHECK(*p[2] == "failed");
    CHECK(job_table_params(spec, false).size() == 2);
  }

  TEST_CASE("--limit bounds the rows one run locks and changes") {
    JobTableSpec spec;
    spec.table = "jobs";
    spec.limit = 100;
    CHECK(has(job_table_sql(spec, fake_quote, 5).update, "ORDER BY <started_at> LIMIT 100 FOR UPDATE SKIP LOCKED"));
    spec.limit = 0;
    CHECK_FALSE(has(job_table_sql(spec, fake_quote, 5).update, "LIMIT"));
  }

  TEST_CASE("PQescapeIdentifier, which the real quoting uses, doubles quotes and keeps case") {
    // An unconnected PGconn is enough: quoting needs only its client encoding.
    PGconn* c = PQconnectStart("host=/nonexistent-opsctl-test dbname=x");
    REQUIRE(c != nullptr);
    auto quote = [&](std::string_view s) {
      char* q = PQescapeIdentifier(c, s.data(), s.size());
      std::string out = q ? q : "<null>";
      PQfreemem(q);
      return out;
    };
    CHECK(quote("jobs") == "\"jobs\"");
    CHECK(quote("My Jobs") == "\"My Jobs\"");
    CHECK(quote("a\"b") == "\"a\"\"b\"");
    CHECK(quote("x; DROP TABLE y") == "\"x; DROP TABLE y\"");
    JobTableSpec spec;
    spec.table = "\"Ops\".\"Job Queue\"";
    CHECK(job_table_sql(spec, quote, 1).target == "\"Ops\".\"Job Queue\"");
    PQfinish(c);
  }
}
