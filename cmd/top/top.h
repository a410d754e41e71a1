#pragma once
// `opsctl top`: the live view (cmd/top/view.cpp) or, without a terminal or with --once, one frame.
#include <memory>
#include <string>
#include <vector>

#include "cmd/db/pool_flags.h"
#include "cmd/registry.h"
#include "cmd/top/fetch.h"

namespace opsctl::cmd {
// Adds `opsctl top` to the tree; all_contexts is the global --all-contexts flag, read when it runs.
void register_top(CLI::App& app, Registry& reg, const bool& all_contexts);
}

namespace opsctl::cmd::top_view {

struct TopFlags {
  std::string interval = "2s";
  bool once = false;
  std::int64_t sample = 20;
  PoolFlags pool;  // the db tab's, as db pool's
  std::shared_ptr<ThresholdFlags> thresholds;
};

// The full-screen view until q; returns the exit code (0). contexts: as for Fetcher.
int run_view(Session& s, Fetcher& fetcher, top::View view);

}  // namespace opsctl::cmd::top_view
