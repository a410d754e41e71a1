#pragma once
// The threshold flags of the queue checks (queue inspect, queue list): one table of name, kind and
// default, so both verbs, the config's thresholds: blocks and the help text agree.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cmd/session.h"
#include "queue/checks.h"

namespace opsctl::cmd {

struct ThresholdFlags {
  enum class Kind { count, duration, percent };
  struct Flag {
    std::string name;  // without dashes: "warn-wait"
    Kind kind;
    std::int64_t queue::Thresholds::*member;
    std::string help;
    std::string text;  // what was typed
    CLI::Option* option = nullptr;
  };
  std::vector<Flag> flags;
};

// Adds --warn-wait, --crit-wait, --warn-wait-age, --warn-failed, --crit-failed, --window,
// --crit-idle, --warn-active, --warn-processing, --crit-processing, --warn-failure-ratio,
// --min-finished and --scheduler-grace to cmd.
std::shared_ptr<ThresholdFlags> add_threshold_flags(CLI::App* cmd);

// The thresholds for one queue: flag > context's thresholds.queues.<queue> > context's thresholds >
// the top-level thresholds.queues.<queue> > top-level thresholds > default. A warning threshold above
// its critical one is a usage error when both were given, else the unset one follows the other.
// A bad value in the config is a config_error naming the file, the context and the threshold.
queue::Thresholds resolve_thresholds(Session& s, const ThresholdFlags& f, const std::string& queue);

// One warning on stderr per threshold name in the config that no check knows (a typo such as
// warn_wait would otherwise be ignored without a word).
void warn_unknown_thresholds(Session& s, const ThresholdFlags& f);

}  // namespace opsctl::cmd
