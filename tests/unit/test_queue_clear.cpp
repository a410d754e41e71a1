#include <doctest/doctest.h>

#include <chrono>

#include "queue/clear.h"
#include "queue/redis/removal_batch.h"

using namespace opsctl::queue;
using std::chrono::microseconds;

TEST_SUITE("queue clear") {
  TEST_CASE("the batch aims at the target from the cost per entry, at most doubling per call") {
    RemovalBatch b(100);
    b.record(microseconds(500), 100);  // 5 us per entry: 300 wanted, 200 allowed
    CHECK(b.size() == 200);
    b.record(microseconds(1000), 200);
    CHECK(b.size() == 300);
    b.record(microseconds(1500), 300);
    CHECK(b.size() == 300);
  }

  TEST_CASE("one slow call does not shrink the batch: the median of the last five decides") {
    RemovalBatch b(300);
    for (int i = 0; i < 4; ++i) b.record(microseconds(1500), 300);
    REQUIRE(b.size() == 300);
    b.record(microseconds(9000), 300);  // Redis descheduled for a moment
    CHECK(b.size() == 300);
  }

  TEST_CASE("calls that stay slow shrink it, down to its minimum") {
    RemovalBatch b(1000);
    for (int i = 0; i < 5; ++i) b.record(microseconds(6000), 1000);  // 6 us per entry
    CHECK(b.size() == 250);
    for (int i = 0; i < 5; ++i) b.record(microseconds(100000), 250);
    CHECK(b.size() == RemovalBatch::min_size);
  }

  TEST_CASE("cheap entries grow it to its maximum, never past") {
    RemovalBatch b(16);
    for (int i = 0; i < 20; ++i) b.record(microseconds(100), b.size());
    CHECK(b.size() == RemovalBatch::max_size);
  }

  TEST_CASE("calls with too few entries are ignored") {
    RemovalBatch b(100);
    b.record(microseconds(5000), 3);
    CHECK(b.size() == 100);
  }

  TEST_CASE("an initial size out of range is clamped") {
    CHECK(RemovalBatch(1).size() == RemovalBatch::min_size);
    CHECK(RemovalBatch(1'000'000).size() == RemovalBatch::max_size);
  }

  TEST_CASE("clearable states are BullMQ's clean types, waiting-children excluded") {
    CHECK(is_clearable_state("completed"));
    CHECK(is_clearable_state("waiting"));
    CHECK(is_clearable_state("active"));
    CHECK_FALSE(is_clearable_state("wait"));
    CHECK_FALSE(is_clearable_state("waiting-children"));
    CHECK_FALSE(is_clearable_state(""));
  }
}
