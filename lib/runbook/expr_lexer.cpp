#include "runbook/expr_lexer.h"

#include <cctype>
#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

namespace opsctl::runbook {
namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

Token number_token(std::string_view text, std::size_t& i) {
  std::size_t start = i;
  if (text[i] == '-') ++i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  bool fraction = i < text.size() && text[i] == '.';
  if (fraction) {
    ++i;
    std::size_t digits = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == digits) throw ExprError(i, "a digit must follow the decimal point");
  }
  if (i < text.size() && name_char(text[i])) {
    throw ExprError(i, fmt::format("unexpected '{}' after a number (durations are compared in milliseconds: "
                                   "write 300000, not 5m)", text[i]));
  }
  Token t{Tok::number, start, std::string(text.substr(start, i - start)), nullptr, {}};
  if (fraction) {
    t.value = std::strtod(t.text.c_str(), nullptr);
  } else {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
    if (ec != std::errc() || p != t.text.data() + t.text.size()) throw ExprError(start, "number out of range");
    t.value = v;
  }
  return t;
}

Token string_token(std::string_view text, std::size_t& i) {
  std::size_t start = i;
  char quote = text[i++];
  std::string value;
  for (;;) {
    if (i >= text.size()) throw ExprError(start, fmt::format("unterminated string: no closing {}", quote));
    char c = text[i++];
    if (c == quote) break;
    if (c == '\\') {
      if (i >= text.size()) throw ExprError(i - 1, "a backslash ends the expression");
      c = text[i++];
      if (c != '\\' && c != '\'' && c != '"') {
        throw ExprError(i - 2, fmt::format("unknown escape '\\{}' (only \\\\, \\' and \\\" exist)", c));
      }
    }
    value += c;
  }
  return Token{Tok::string, start, std::string(text.substr(start, i - start)), value, {}};
}

}  // namespace

bool is_name(std::string_view text) {
  if (text.empty() || !name_start(text[0])) return false;
  for (char c : text) {
    if (!name_char(c)) return false;
  }
  return true;
}

RefPath read_reference(std::string_view text, std::size_t& i) {
  RefPath path;
  for (;;) {
    std::size_t start = i;
    if (i >= text.size() || !name_start(text[i])) {
      throw ExprError(i, path.empty() ? "expected a name" : "expected a name after '.'");
    }
    while (i < text.size() && name_char(text[i])) ++i;
    path.emplace_back(text.substr(start, i - start));
    if (i >= text.size() || text[i] != '.') return path;
    ++i;
  }
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    char n = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '(' || c == ')') {
      out.push_back({c == '(' ? Tok::lparen : Tok::rparen, i, std::string(1, c), nullptr, {}});
      ++i;
    } else if ((c == '=' || c == '!' || c == '<' || c == '>') && n == '=') {
      out.push_back({Tok::op, i, std::string{c, '='}, nullptr, {}});
      i += 2;
    } else if (c == '<' || c == '>') {
      out.push_back({Tok::op, i, std::string(1, c), nullptr, {}});
      ++i;
    } else if (c == '=') {
      throw ExprError(i, "'=' is not an operator: use '==' to compare");
    } else if (c == '!') {
      throw ExprError(i, "'!' is not an operator: use 'not'");
    } else if (c == '&' && n == '&') {
      throw ExprError(i, "'&&' is not an operator: use 'and'");
    } else if (c == '|' && n == '|') {
      throw ExprError(i, "'||' is not an operator: use 'or'");
    } else if (std::isdigit(static_cast<unsigned char>(c)) || (c == '-' && std::isdigit(static_cast<unsigned char>(n)))) {
      out.push_back(number_token(text, i));
    } else if (c == '\'' || c == '"') {
      out.push_back(string_token(text, i));
    } else if (name_start(c)) {
      std::size_t start = i;
      RefPath path = read_reference(text, i);
      Token t{Tok::name, start, std::string(text.substr(start, i - start)), nullptr, path};
      if (path.size() == 1) {
        const std::string& w = path[0];
        if (w == "and") t.kind = Tok::kw_and;
        if (w == "or") t.kind = Tok::kw_or;
        if (w == "not") t.kind = Tok::kw_not;
        if (w == "true") t = {Tok::kw_true, start, w, true, {}};
        if (w == "false") t = {Tok::kw_false, start, w, false, {}};
        if (w == "null") t = {Tok::kw_null, start, w, nullptr, {}};
      }
      out.push_back(std::move(t));
    } else {
      throw ExprError(i, fmt::format("unexpected character '{}'", c));
    }
  }
  out.push_back({Tok::end, text.size(), "", nullptr, {}});
  return out;
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::end: return "the end of the expression";
    case Tok::name: return fmt::format("the reference {}", t.text);
    case Tok::number:
    case Tok::string: return fmt::format("the value {}", t.text);
    default: return fmt::format("'{}'", t.text);
  }
}

}  // namespace opsctl::runbook
