#pragma once
// queue clear --all (BullMQ's obliterate), called by cmd/queue/clear.cpp once flags are checked.
#include <string>

#include "cmd/session.h"

namespace opsctl::cmd {

struct ClearAllFlags {
  std::string queue;
  bool force = false;
  bool dry_run = false;
};

int run_clear_all(Session& s, const ClearAllFlags& f);

}  // namespace opsctl::cmd
