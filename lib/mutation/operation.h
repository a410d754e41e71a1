#pragma once
// One mutation prepared over one target, the shape the protocol (mutation/protocol.h) runs: plan()
// says what would change and changes nothing; apply() makes the change and says what changed. What
// both need (checked options, the target found once) is kept between them; both results name the
// action and the target.
#include <cstdint>
#include <functional>

#include "mutation/result.h"

namespace opsctl::mutation {

// Called with the number of items handled so far.
using Progress = std::function<void(std::int64_t done)>;

class Operation {
 public:
  virtual ~Operation() = default;
  virtual Result plan() = 0;
  virtual Result apply(const Progress& progress) = 0;
};

}  // namespace opsctl::mutation
