#pragma once
// Tokens of the condition language (internal to expr.cpp and template.cpp).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runbook/expr.h"

namespace opsctl::runbook {

enum class Tok { end, number, string, name, op, lparen, rparen, kw_and, kw_or, kw_not, kw_true, kw_false, kw_null };

struct Token {
  Tok kind = Tok::end;
  std::size_t pos = 0;
  std::string text;      // as written
  nlohmann::json value;  // number, string, true, false, null
  RefPath path;          // name
};

// Splits text into tokens ending with Tok::end. Throws ExprError at the first bad character, with a
// hint for the operators of other languages (&&, ||, !, =).
std::vector<Token> tokenize(std::string_view text);

// "'>='", "the reference params.queue", "the end of the expression", ...
std::string describe(const Token& t);

// Reads a reference (name(.name)*) starting at text[i]; advances i. Throws ExprError.
RefPath read_reference(std::string_view text, std::size_t& i);

}  // namespace opsctl::runbook
