#pragma once
// Progress of bulk work on stderr, only when stderr is a terminal (opsctl(1): progress goes to
// standard error). lib/ operations take a std::function<void(std::int64_t done)> and cmd/ passes
// update().
#include <cstdint>
#include <string>

#include "cmd/io.h"

namespace opsctl::cmd {

class Progress {
 public:
  Progress(Io& io, std::string label, std::int64_t total);
  ~Progress();  // clears the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(std::int64_t done);

 private:
  Io& io_;
  std::string label_;
  std::int64_t total_;
  long long last_ms_ = 0;
  bool shown_ = false;
};

}  // namespace opsctl::cmd
