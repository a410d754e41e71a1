#pragma once
// The condition language of runbook `when:`, `until:` and `checks:` (documented in opsctl-runbook(5)):
//
//   expr    := or
//   or      := and ("or" and)*
//   and     := unary ("and" unary)*
//   unary   := "not" unary | compare
//   compare := operand (("==" | "!=" | "<" | "<=" | ">" | ">=") operand)?
//   operand := number | 'string' | "string" | true | false | null | reference | "(" expr ")"
//   reference := name ("." name)*      e.g. params.queue, steps.counts.findings.waiting
//
// It only reads values: no calls, no assignment, no arithmetic. A hand-written recursive-descent
// parser; a malformed expression is an ExprError with the byte position of the problem.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace opsctl::runbook {

// "steps.counts.findings.waiting" split on dots.
using RefPath = std::vector<std::string>;
std::string join_path(const RefPath& path);

// A syntax error: pos is the 0-based byte offset in the expression text.
class ExprError : public std::runtime_error {
 public:
  ExprError(std::size_t pos, const std::string& message) : std::runtime_error(message), pos_(pos) {}
  std::size_t pos() const { return pos_; }

 private:
  std::size_t pos_;
};

// A value that cannot be compared at run time (a number with a string, ordering booleans).
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One side of a comparison, for lint's type checks: a literal, a reference, or something else.
struct Operand {
  std::optional<nlohmann::json> literal;
  std::optional<RefPath> ref;
};

struct Comparison {
  Operand lhs;
  std::string op;
  Operand rhs;
};

class Expr {
 public:
  struct Node;

  // Throws ExprError on malformed text.
  static Expr parse(std::string_view text);

  // The value of the expression in scope (a JSON object; a missing reference is null).
  // Throws EvalError on a comparison of incompatible types.
  nlohmann::json eval(const nlohmann::json& scope) const;
  // eval() as a condition: false, null, 0, "" and empty lists/objects are false.
  bool test(const nlohmann::json& scope) const;

  const std::string& text() const { return text_; }
  std::vector<RefPath> references() const;
  std::vector<Comparison> comparisons() const;

 private:
  std::shared_ptr<const Node> root_;
  std::string text_;
};

// Truthiness of a value, as test() applies it.
bool truthy(const nlohmann::json& v);

// The value at path in scope, or null when any part is missing.
const nlohmann::json& lookup(const nlohmann::json& scope, const RefPath& path);

// True when text is a valid name of a reference part: letters, digits, '_' and '-', not starting
// with a digit or '-'.
bool is_name(std::string_view text);

}  // namespace opsctl::runbook
