#pragma once
// A query result as a plain value (text format), so nothing above lib/pg sees a PGresult.
// Columns are found by name: PgBouncer's SHOW output grows columns between versions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsctl::pg {

using Value = std::optional<std::string>;  // nullopt is SQL NULL

struct Result {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
  std::int64_t affected = 0;  // rows touched by INSERT/UPDATE/DELETE (PQcmdTuples), else 0

  // Index of a column, nullopt when absent.
  std::optional<std::size_t> column(std::string_view name) const;
};

// One row read by column name; a missing column reads as NULL.
class Row {
 public:
  Row(const Result& r, std::size_t i) : result_(r), row_(i) {}
  const Value& value(std::string_view name) const;
  std::string text(std::string_view name, std::string_view if_null = "") const;
  std::optional<std::int64_t> integer(std::string_view name) const;
  std::optional<double> number(std::string_view name) const;
  bool boolean(std::string_view name) const;  // 't' is true; NULL and anything else false

 private:
  const Result& result_;
  std::size_t row_;
};

}  // namespace opsctl::pg
