#include "health/body_pattern.h"

#include <future>
#include <memory>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "core/error.h"
#include "util/duration.h"

namespace opsctl::health {
namespace {

// A pattern without regex syntax is plain text: found with find(), which needs no backtracking.
bool is_plain(const std::string& pattern) {
  return pattern.find_first_of("\\^$.|?*+()[]{}") == std::string::npos;
}

// A backreference forces libstdc++'s recursive executor, which overflows the stack on a long body.
bool has_backreference(const std::string& pattern) {
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      if (std::isdigit(static_cast<unsigned char>(pattern[i + 1])) && pattern[i + 1] != '0') return true;
      ++i;
    }
  }
  return false;
}

std::regex compile(const std::string& pattern) {
  auto flags = std::regex::ECMAScript;
#ifdef __GLIBCXX__
  // The breadth-first executor: no recursion per character, so a 1 MiB body cannot overflow the stack.
  flags |= std::regex_constants::__polynomial;
#endif
  return std::regex(pattern, flags);
}

}  // namespace

std::optional<Mismatch> body_mismatch(const std::string& pattern, const std::string& body,
                                      std::chrono::milliseconds limit) {
  if (is_plain(pattern)) {
    if (body.find(pattern) != std::string::npos) return std::nullopt;
    return Mismatch{Status::critical, fmt::format("body does not contain \"{}\"", pattern)};
  }
  struct Search {
    std::string pattern;
    std::string body;
    std::promise<bool> found;
  };
  auto job = std::make_shared<Search>(Search{pattern, body, {}});
  auto found = job->found.get_future();
  std::thread([job] {
    try {
      job->found.set_value(std::regex_search(job->body, compile(job->pattern)));
    } catch (...) {
      job->found.set_exception(std::current_exception());
    }
  }).detach();
  if (found.wait_for(limit) != std::future_status::ready) {
    return Mismatch{Status::unknown, fmt::format("body search for \"{}\" gave up after {} ({} bytes): simplify the pattern",
                                                 pattern, util::format_duration(limit), body.size())};
  }
  try {
    if (found.get()) return std::nullopt;
  } catch (const std::regex_error& e) {
    return Mismatch{Status::unknown, fmt::format("body could not be searched for \"{}\" ({})", pattern, e.what())};
  }
  return Mismatch{Status::critical, fmt::format("body does not contain \"{}\" (regex)", pattern)};
}

void validate_body_pattern(const std::string& pattern) {
  if (is_plain(pattern)) return;
  if (has_backreference(pattern)) {
    throw usage_error(fmt::format("--expect-body \"{}\": backreferences (\\1...) are not supported", pattern));
  }
  try {
    compile(pattern);
  } catch (const std::regex_error& e) {
    throw usage_error(fmt::format("--expect-body \"{}\" is not a valid regular expression: {}", pattern, e.what()));
  }
}

}  // namespace opsctl::health
