#pragma once
// A Redis reply as a plain value, so nothing above lib/redis ever sees hiredis types.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace opsctl::redis {

enum class ReplyType { nil, string, integer, array, status, error };

struct Reply {
  ReplyType type = ReplyType::nil;
  std::string str;  // string, status and error text (binary safe)
  std::int64_t integer = 0;
  std::vector<Reply> elements;

  bool is_nil() const { return type == ReplyType::nil; }
  bool is_error() const { return type == ReplyType::error; }
  // The string value, or nullopt for nil and non-strings.
  std::optional<std::string> as_string() const {
    if (type == ReplyType::string || type == ReplyType::status) return str;
    return std::nullopt;
  }
  // Integer replies, or strings holding a decimal integer; nullopt otherwise.
  std::optional<std::int64_t> as_int() const;
};

}  // namespace opsctl::redis
