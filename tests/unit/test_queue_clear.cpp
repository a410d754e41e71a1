#include <doctest/doctest.h>

#include <chrono>

#include "queue/clear.h"
#include "queue/removal_batch.h"

using namespace opsctl::queue;
using std::chrono::microseconds;

TEST_SUITE("queue clear") {
  TEST_CASE("the batch grows while full calls are quick, never past its maximum") {
    RemovalBatch b(100);
    b.record(microseconds(500), true);
    CHECK(b.size() == 200);
    for (int i = 0; i < 10; ++i) b.record(microseconds(500), true);
    CHECK(b.size() == RemovalBatch::max_size);
  }

  TEST_CASE("a short final batch says nothing about the cost of a full one") {
    RemovalBatch b(100);
    b.record(microseconds(100), false);
    CHECK(b.size() == 100);
  }

  TEST_CASE("a slow call halves the batch, down to its minimum") {
    RemovalBatch b(1000);
    b.record(microseconds(4000), true);
    CHECK(b.size() == 500);
    b.record(microseconds(4000), false);  // slow even when short: shrink anyway
    CHECK(b.size() == 250);
    for (int i = 0; i < 20; ++i) b.record(microseconds(9000), true);
    CHECK(b.size() == RemovalBatch::min_size);
  }

  TEST_CASE("calls in the comfortable band keep the size") {
    RemovalBatch b(300);
    b.record(microseconds(1500), true);
    CHECK(b.size() == 300);
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
