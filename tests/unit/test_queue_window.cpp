#include <doctest/doctest.h>

#include "core/error.h"
#include "queue/finished_window.h"

using namespace opsctl::queue;

namespace {

constexpr std::int64_t now = 1'700'000'000'000;
constexpr std::int64_t minute = 60'000;

// The exit code and message of the usage error a window throws.
std::pair<int, std::string> refusal(std::optional<std::int64_t> since, std::optional<std::int64_t> older) {
  try {
    finished_window(now, since, older);
  } catch (const opsctl::Error& e) {
    return {static_cast<int>(e.code()), e.what()};
  }
  return {0, ""};
}

}  // namespace

TEST_SUITE("queue finished window") {
  TEST_CASE("without --since the window starts at 0 and ends at now - older_than, as before") {
    auto w = finished_window(now, std::nullopt, std::nullopt);
    CHECK(w.min_score == 0);
    CHECK(w.max_score == now);
    w = finished_window(now, std::nullopt, 10 * minute);
    CHECK(w.min_score == 0);
    CHECK(w.max_score == now - 10 * minute);
  }

  TEST_CASE("--since moves the minimum to now - since; the maximum stays now") {
    auto w = finished_window(now, 15 * minute, std::nullopt);
    CHECK(w.min_score == now - 15 * minute);
    CHECK(w.max_score == now);
  }

  TEST_CASE("--since with --older-than is the window between them") {
    auto w = finished_window(now, 120 * minute, 15 * minute);
    CHECK(w.min_score == now - 120 * minute);
    CHECK(w.max_score == now - 15 * minute);
  }

  TEST_CASE("a --since reaching before the epoch starts at 0") {
    auto w = finished_window(5 * minute, 10 * minute, std::nullopt);
    CHECK(w.min_score == 0);
    CHECK(w.max_score == 5 * minute);
  }

  TEST_CASE("--since not longer than --older-than is a usage error naming both flags") {
    for (auto [since, older] : {std::pair{10 * minute, 10 * minute}, std::pair{5 * minute, 10 * minute}}) {
      auto [code, message] = refusal(since, older);
      CHECK(code == static_cast<int>(opsctl::ExitCode::usage));
      CHECK(message.find("--since") != std::string::npos);
      CHECK(message.find("--older-than") != std::string::npos);
    }
    CHECK(refusal(10 * minute + 1, 10 * minute).first == 0);
  }

  TEST_CASE("--since 0 is a usage error") {
    CHECK(refusal(0, std::nullopt).first == static_cast<int>(opsctl::ExitCode::usage));
  }

  TEST_CASE("the phrase names the window with the durations as typed") {
    CHECK(since_phrase("failed", "15m", "") == "failed jobs finished within 15m");
    CHECK(since_phrase("completed", "2h", "15m") == "completed jobs finished between 2h and 15m ago");
  }
}
