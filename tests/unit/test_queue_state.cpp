// Which paused layout the state verbs use, from meta.version (queue/state_common.h).
#include <doctest/doctest.h>

#include "queue/redis/state_common.h"

using opsctl::queue::choose_layout;
using opsctl::queue::PauseLayout;
using opsctl::queue::QueueShape;

namespace {
QueueShape shape_with(std::optional<std::string> version, bool paused_list = false) {
  QueueShape s;
  s.version = std::move(version);
  s.legacy_paused_list = paused_list;
  return s;
}
}  // namespace

TEST_SUITE("queue state layout") {
  TEST_CASE("BullMQ 6 and later use meta.paused alone") {
    for (const char* v : {"bullmq:6.0.0", "bullmq:6.7.0", "bullmq:7.1.2", "bullmq:10.0.0"}) {
      auto c = choose_layout(shape_with(std::string(v)));
      CHECK(c.layout == PauseLayout::v6);
      CHECK(c.name == "bullmq6");
      CHECK(c.lua_mode() == "v6");
      CHECK(c.reason == std::string("meta.version ") + v);
    }
  }

  TEST_CASE("BullMQ 5 and older rename wait to paused") {
    for (const char* v : {"bullmq:5.81.3", "bullmq:5.0.0", "bullmq:4.17.0", "bullmq:1.0.0"}) {
      auto c = choose_layout(shape_with(std::string(v)));
      CHECK(c.layout == PauseLayout::legacy);
      CHECK(c.name == "bullmq5");
      CHECK(c.lua_mode() == "legacy");
    }
  }

  TEST_CASE("a version opsctl cannot place, or none, takes the layout both generations resume") {
    for (auto v : {std::optional<std::string>("bullmq-pro:7.30.0"), std::optional<std::string>("bullmq:x"),
                   std::optional<std::string>("bullmq:"), std::optional<std::string>()}) {
      auto c = choose_layout(shape_with(v));
      CHECK(c.layout == PauseLayout::legacy);
      CHECK_FALSE(c.reason.empty());
    }
    CHECK(choose_layout(shape_with(std::nullopt, true)).reason.find("paused list exists") != std::string::npos);
  }

  TEST_CASE("a legacy paused list does not override meta.version 6: BullMQ 6 resumes it") {
    CHECK(choose_layout(shape_with(std::string("bullmq:6.7.0"), true)).layout == PauseLayout::v6);
  }
}
