#pragma once
// Aligned text tables for people, like kubectl get / gh list: upper-case headers, two spaces between
// columns, right-aligned numbers. Width is computed on visible characters (ANSI colour codes and
// UTF-8 multibyte sequences do not count).
#include <string>
#include <vector>

namespace opsctl::output {

enum class Align { left, right };

class Table {
 public:
  explicit Table(std::vector<std::string> headers, std::vector<Align> align = {});
  void add_row(std::vector<std::string> cells);  // missing cells render empty
  bool empty() const { return rows_.empty(); }
  // Rendered text, one line per row plus the header line, each ending in '\n'. No trailing spaces.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace opsctl::output
