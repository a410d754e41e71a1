#include <doctest/doctest.h>

#include "queue/redis/discovery.h"
#include "queue/job.h"
#include "queue/keys.h"
#include "queue/workers.h"

using namespace opsctl::queue;

TEST_SUITE("queue.keys") {
  TEST_CASE("escape_glob escapes SCAN metacharacters, keeps hash-tag braces") {
    CHECK(escape_glob("bull") == "bull");
    CHECK(escape_glob("{bull}") == "{bull}");
    CHECK(escape_glob("a*b?c[d]e\\f") == "a\\*b\\?c\\[d\\]e\\\\f");
  }

  TEST_CASE("key names") {
    QueueRef q{"app:bull", "emails"};
    CHECK(q.key("wait") == "app:bull:emails:wait");
    CHECK(q.job_key("42") == "app:bull:emails:42");
    CHECK(state_key_suffix("waiting") == "wait");
    CHECK(state_key_suffix("waiting-children") == "waiting-children");
  }
}

TEST_SUITE("queue.discovery") {
  TEST_CASE("queue names from meta keys, with prefixes that contain ':' and braces") {
    CHECK(queue_name_from_key("bull:emails:meta", "bull", "meta") == "emails");
    CHECK(queue_name_from_key("app:bull:emails:meta", "app:bull", "meta") == "emails");
    CHECK(queue_name_from_key("{bull}:{cluster}:meta", "{bull}", "meta") == "{cluster}");
  }

  TEST_CASE("job sub-keys and relay keys are not queues") {
    CHECK(queue_name_from_key("bull:q:de:abc:meta", "bull", "meta").empty());
    CHECK(queue_name_from_key("bull:q:repeat:meta", "bull", "meta").empty());
    CHECK(queue_name_from_key("bull::relay:{x}:meta", "bull", "meta").empty());
    CHECK(queue_name_from_key("other:q:meta", "bull", "meta").empty());
    CHECK(queue_name_from_key("bull::meta", "bull", "meta").empty());
  }
}

TEST_SUITE("queue.workers") {
  const std::string list =
      "id=1 addr=127.0.0.1:5000 name=bull:ZW1haWxz idle=0 cmd=bzpopmin\n"
      "id=2 addr=127.0.0.1:5001 name=bull:ZW1haWxz:w:w1 idle=3 cmd=evalsha\n"
      "id=3 addr=127.0.0.1:5002 name=bull:ZW1haWxz:qe idle=1 cmd=xread\n"
      "id=4 addr=127.0.0.1:5003 name=bull:emails:w:py idle=2 cmd=bzpopmin\n"
      "id=5 addr=127.0.0.1:5004 name=bull:b3RoZXI= idle=0 cmd=bzpopmin\n"
      "id=6 addr=127.0.0.1:5005 name= idle=0 cmd=client\n";

  TEST_CASE("unnamed, named and plain-name workers count; QueueEvents and other queues do not") {
    auto w = match_workers(list, {"bull", "emails"});
    REQUIRE(w.size() == 3);
    CHECK(w[0].rawname == "bull:ZW1haWxz");
    CHECK(w[1].rawname == "bull:ZW1haWxz:w:w1");
    CHECK(w[1].idle_s == 3);
    CHECK(w[2].rawname == "bull:emails:w:py");
  }

  TEST_CASE("CRLF line endings and an empty list") {
    CHECK(match_workers("id=1 name=bull:ZW1haWxz\r\n", {"bull", "emails"}).size() == 1);
    CHECK(match_workers("", {"bull", "emails"}).empty());
  }
}

TEST_SUITE("queue.job") {
  using Fields = std::vector<std::pair<std::string, std::string>>;

  TEST_CASE("a well-formed BullMQ job parses without problems") {
    JobDetail d;
    d.id = "7";
    parse_job_hash({{"name", "send"}, {"data", "{\"to\":\"a@b\"}"}, {"opts", "{\"attempts\":3}"},
                    {"timestamp", "1700000000000"}, {"atm", "2"}, {"ats", "2"}, {"failedReason", "boom"},
                    {"stacktrace", "[\"Error: boom\"]"}, {"finishedOn", "1700000001000"}},
                   d);
    CHECK(d.problems.empty());
    CHECK(d.name == "send");
    CHECK(d.data["to"] == "a@b");
    CHECK(d.attempts_made == 2);
    CHECK(d.stacktrace.size() == 1);
    CHECK(d.finished_on == 1700000001000);
  }

  TEST_CASE("legacy attemptsMade is read") {
    JobDetail d;
    parse_job_hash(Fields{{"name", "x"}, {"data", "{}"}, {"timestamp", "1"}, {"attemptsMade", "4"}}, d);
    CHECK(d.attempts_made == 4);
  }

  TEST_CASE("bad data becomes problems, never exceptions") {
    JobDetail d;
    d.id = "9";
    std::string binary("\xff\xfe\x00\x01", 4);
    parse_job_hash(Fields{{"data", binary}, {"opts", "{garbage"}, {"timestamp", "soon"}, {"atm", "x"}}, d);
    auto has = [&](const std::string& field) {
      for (const auto& p : d.problems) {
        if (p.field == field) return true;
      }
      return false;
    };
    CHECK(has("name"));
    CHECK(has("data"));
    CHECK(has("opts"));
    CHECK(has("timestamp"));
    CHECK(has("atm"));
    CHECK(d.data.is_string());  // base64 of the bytes
    CHECK(d.opts == "{garbage");
  }

  TEST_CASE("a huge payload is truncated for display") {
    JobDetail d;
    std::string big = "\"" + std::string(2 * 1024 * 1024, 'a') + "\"";
    parse_job_hash(Fields{{"name", "x"}, {"data", big}, {"timestamp", "1"}}, d);
    REQUIRE(d.data.is_string());
    CHECK(d.data.get<std::string>().size() <= max_shown_value_bytes);
    REQUIRE(d.problems.size() == 1);
    CHECK(d.problems[0].problem.find("truncated") != std::string::npos);
  }

  TEST_CASE("defa is reported: the job will fail on its next pickup") {
    JobDetail d;
    parse_job_hash(Fields{{"name", "x"}, {"data", "{}"}, {"timestamp", "1"},
                          {"defa", "job stalled more than allowable limit"}},
                   d);
    CHECK(d.will_fail_reason == "job stalled more than allowable limit");
    REQUIRE(d.problems.size() == 1);
    CHECK(d.problems[0].field == "defa");
  }
}
