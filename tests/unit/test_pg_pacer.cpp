// The batch sizes of the PostgreSQL backend's transitions (queue/postgres/mutate.h): they follow
// how long the database takes, towards kBatchTargetMs, within the bounds, whether a call costs
// per job or mostly per call.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "queue/postgres/mutate.h"

using namespace opsctl::queue::pgq;
using std::chrono::microseconds;
using std::chrono::milliseconds;

namespace {

// A database whose call costs fixed_us plus per_job_us a job; the size after `batches` batches.
std::int64_t settle(Pacer& p, std::int64_t fixed_us, std::int64_t per_job_us, int batches = 60) {
  for (int i = 0; i < batches; ++i) p.took(p.size(), microseconds(fixed_us + per_job_us * p.size()));
  return p.size();
}

// The same with a deterministic jitter of up to +-jitter_us a batch; the smallest size seen over the
// last `tail` batches.
std::int64_t settle_jittered(Pacer& p, std::int64_t fixed_us, std::int64_t per_job_us, std::int64_t jitter_us, int batches = 200,
                             int tail = 50) {
  std::uint32_t seed = 12345;
  std::int64_t smallest = kBatchMax;
  for (int i = 0; i < batches; ++i) {
    seed = seed * 1664525u + 1013904223u;
    const auto jitter = static_cast<std::int64_t>(seed % static_cast<std::uint32_t>(2 * jitter_us + 1)) - jitter_us;
    p.took(p.size(), microseconds(std::max<std::int64_t>(1, fixed_us + per_job_us * p.size() + jitter)));
    if (i >= batches - tail) smallest = std::min(smallest, p.size());
  }
  return smallest;
}

double ms_at(std::int64_t size, std::int64_t fixed_us, std::int64_t per_job_us) {
  return static_cast<double>(fixed_us + per_job_us * size) / 1000.0;
}

}  // namespace

TEST_SUITE("postgres batch pacing") {
  TEST_CASE("starts at kBatch; a fast database doubles it per batch up to kBatchMax") {
    Pacer p;
    CHECK(p.size() == kBatch);
    p.took(p.size(), milliseconds(1));
    CHECK(p.size() == 2 * kBatch);
    CHECK(settle(p, 0, 1) == kBatchMax);
  }

  TEST_CASE("a per-job cost settles within the target band") {
    for (std::int64_t per_job_us : {100, 160, 400, 800}) {
      Pacer p;
      const auto size = settle(p, 300, per_job_us);
      CAPTURE(per_job_us);
      CAPTURE(size);
      CHECK(ms_at(size, 300, per_job_us) >= 0.5 * kBatchTargetMs);
      CHECK(ms_at(size, 300, per_job_us) <= 1.25 * kBatchTargetMs);
    }
  }

  TEST_CASE("a cost mostly per call (clean sorting the whole state) grows the batch instead of shrinking it") {
    Pacer p;
    // 10 ms a call whatever its size, 13 us a job: a proportional reading would go to kBatchMin.
    const auto size = settle(p, 10'000, 13);
    CHECK(size >= 500);
    CHECK(ms_at(size, 10'000, 13) <= 1.25 * kBatchTargetMs);
    // A fixed part over the target alone (60 ms): the largest batches, as few calls as can be.
    Pacer q;
    CHECK(settle(q, 60'000, 13) == kBatchMax);
  }

  TEST_CASE("with jitter, from the smallest size: a mostly fixed cost still ends with the largest batches and stays there") {
    for (std::int64_t jitter_us : {1000, 3000}) {
      Pacer from_min(kBatchMin);
      CAPTURE(jitter_us);
      CHECK(settle_jittered(from_min, 60'000, 13, jitter_us) >= kBatchMax * 8 / 10);
      Pacer from_first;
      CHECK(settle_jittered(from_first, 60'000, 13, jitter_us) >= kBatchMax * 8 / 10);
    }
  }

  TEST_CASE("with jitter, a per-job cost stays near the target") {
    Pacer p;
    const auto smallest = settle_jittered(p, 300, 160, 2000);
    CHECK(smallest >= 50);   // 20 ms at 160 us a job is 125 jobs; jitter moves it, never to the floor
    CHECK(p.size() <= 250);
  }

  TEST_CASE("a slow batch halves the next at once; a slow database per job goes down to kBatchMin") {
    Pacer p(400);
    p.took(400, milliseconds(4 * kBatchTargetMs));
    CHECK(p.size() == 200);
    CHECK(settle(p, 0, 5000) == kBatchMin);  // 5 ms a job
  }

  TEST_CASE("an empty batch tells nothing") {
    Pacer p(123);
    p.took(0, milliseconds(1000));
    CHECK(p.size() == 123);
  }
}
