#include "runbook/expr.h"

#include <fmt/format.h>

#include "runbook/expr_lexer.h"

namespace opsctl::runbook {

using nlohmann::json;

struct Expr::Node {
  enum class Kind { literal, ref, negate, conj, disj, compare } kind = Kind::literal;
  json value;
  RefPath path;
  std::string op;
  std::shared_ptr<const Node> a, b;
};

namespace {

using NodePtr = std::shared_ptr<const Expr::Node>;
using Kind = Expr::Node::Kind;

constexpr int max_depth = 64;  // "((((...": a bound instead of a stack overflow

class Parser {
 public:
  explicit Parser(std::string_view text) : tokens_(tokenize(text)) {}

  NodePtr parse() {
    NodePtr n = disjunction(0);
    if (peek().kind != Tok::end) throw ExprError(peek().pos, fmt::format("unexpected {}", describe(peek())));
    return n;
  }

 private:
  const Token& peek() const { return tokens_[i_]; }
  const Token& next() { return tokens_[i_++]; }

  static NodePtr make(Kind k, NodePtr a, NodePtr b = {}, std::string op = {}) {
    auto n = std::make_shared<Expr::Node>();
    n->kind = k;
    n->a = std::move(a);
    n->b = std::move(b);
    n->op = std::move(op);
    return n;
  }

  NodePtr disjunction(int depth) {
    NodePtr left = conjunction(depth);
    while (peek().kind == Tok::kw_or) {
      next();
      left = make(Kind::disj, left, conjunction(depth));
    }
    return left;
  }

  NodePtr conjunction(int depth) {
    NodePtr left = unary(depth);
    while (peek().kind == Tok::kw_and) {
      next();
      left = make(Kind::conj, left, unary(depth));
    }
    return left;
  }

  NodePtr unary(int depth) {
    if (depth > max_depth) throw ExprError(peek().pos, "expression nested too deeply");
    if (peek().kind == Tok::kw_not) {
      next();
      return make(Kind::negate, unary(depth + 1));
    }
    return comparison(depth);
  }

  NodePtr comparison(int depth) {
    NodePtr left = operand(depth);
    if (peek().kind != Tok::op) return left;
    std::string op = next().text;
    NodePtr right = operand(depth);
    if (peek().kind == Tok::op) {
      throw ExprError(peek().pos, fmt::format("comparisons do not chain: use 'and' before '{}'", peek().text));
    }
    return make(Kind::compare, left, right, op);
  }

  NodePtr operand(int depth) {
    const Token& t = next();
    auto n = std::make_shared<Expr::Node>();
    switch (t.kind) {
      case Tok::number:
      case Tok::string:
      case Tok::kw_true:
      case Tok::kw_false:
      case Tok::kw_null:
        n->kind = Kind::literal;
        n->value = t.value;
        return n;
      case Tok::name:
        n->kind = Kind::ref;
        n->path = t.path;
        return n;
      case Tok::lparen: {
        NodePtr inner = disjunction(depth + 1);
        if (peek().kind != Tok::rparen) {
          throw ExprError(peek().pos, fmt::format("expected ')' to close the '(' at position {}, found {}", t.pos + 1,
                                                  describe(peek())));
        }
        next();
        return inner;
      }
      default:
        throw ExprError(t.pos, fmt::format("expected a value, a reference or '(', found {}", describe(t)));
    }
  }

  std::vector<Token> tokens_;
  std::size_t i_ = 0;
};

std::string describe_value(const json& v) {
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return fmt::format("{} {}", v.type_name(), text);
}

bool equal(const json& a, const json& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if (a.is_number() && b.is_number()) {
    if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
    return a.get<std::int64_t>() == b.get<std::int64_t>();
  }
  if (a.type() != b.type()) {
    throw EvalError(fmt::format("cannot compare {} with {}", describe_value(a), describe_value(b)));
  }
  return a == b;
}

// Ordering: numbers with numbers, strings with strings; anything with null is false.
bool order(const json& a, const json& b, const std::string& op) {
  if (a.is_null() || b.is_null()) return false;
  int c = 0;
  if (a.is_number() && b.is_number()) {
    if (a.is_number_float() || b.is_number_float()) {
      double x = a.get<double>(), y = b.get<double>();
      c = x < y ? -1 : (x > y ? 1 : 0);
    } else {
      auto x = a.get<std::int64_t>(), y = b.get<std::int64_t>();
      c = x < y ? -1 : (x > y ? 1 : 0);
    }
  } else if (a.is_string() && b.is_string()) {
    c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
  } else {
    throw EvalError(fmt::format("cannot order {} and {} with '{}'", describe_value(a), describe_value(b), op));
  }
  if (op == "<") return c < 0;
  if (op == "<=") return c <= 0;
  if (op == ">") return c > 0;
  return c >= 0;
}

json eval_node(const Expr::Node& n, const json& scope) {
  switch (n.kind) {
    case Kind::literal: return n.value;
    case Kind::ref: return lookup(scope, n.path);
    case Kind::negate: return !truthy(eval_node(*n.a, scope));
    case Kind::conj: return truthy(eval_node(*n.a, scope)) && truthy(eval_node(*n.b, scope));
    case Kind::disj: return truthy(eval_node(*n.a, scope)) || truthy(eval_node(*n.b, scope));
    case Kind::compare: {
      json a = eval_node(*n.a, scope), b = eval_node(*n.b, scope);
      if (n.op == "==") return equal(a, b);
      if (n.op == "!=") return !equal(a, b);
      return order(a, b, n.op);
    }
  }
  return nullptr;
}

Operand operand_of(const Expr::Node& n) {
  Operand o;
  if (n.kind == Kind::literal) o.literal = n.value;
  if (n.kind == Kind::ref) o.ref = n.path;
  return o;
}

template <class F>
void walk(const Expr::Node& n, F&& f) {
  f(n);
  if (n.a) walk(*n.a, f);
  if (n.b) walk(*n.b, f);
}

}  // namespace

std::string join_path(const RefPath& path) { return fmt::format("{}", fmt::join(path, ".")); }

Expr Expr::parse(std::string_view text) {
  Expr e;
  e.text_ = std::string(text);
  e.root_ = Parser(text).parse();
  return e;
}

json Expr::eval(const json& scope) const { return eval_node(*root_, scope); }

bool Expr::test(const json& scope) const { return truthy(eval(scope)); }

std::vector<RefPath> Expr::references() const {
  std::vector<RefPath> out;
  walk(*root_, [&](const Node& n) {
    if (n.kind == Kind::ref) out.push_back(n.path);
  });
  return out;
}

std::vector<Comparison> Expr::comparisons() const {
  std::vector<Comparison> out;
  walk(*root_, [&](const Node& n) {
    if (n.kind == Kind::compare) out.push_back({operand_of(*n.a), n.op, operand_of(*n.b)});
  });
  return out;
}

bool truthy(const json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_null()) return false;
  if (v.is_number_float()) return v.get<double>() != 0;
  if (v.is_number()) return v.get<std::int64_t>() != 0;
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  return !v.empty();
}

const json& lookup(const json& scope, const RefPath& path) {
  static const json null_value;
  const json* cur = &scope;
  for (const auto& part : path) {
    if (!cur->is_object()) return null_value;
    auto it = cur->find(part);
    if (it == cur->end()) return null_value;
    cur = &*it;
  }
  return *cur;
}

}  // namespace opsctl::runbook
