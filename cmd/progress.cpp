#include "cmd/progress.h"

#include <fmt/format.h>

namespace opsctl::cmd {

Progress::Progress(Io& io, std::string label, std::int64_t total)
    : io_(io), label_(std::move(label)), total_(total) {}

Progress::~Progress() {
  if (shown_) io_.err << "\r\033[K" << std::flush;
}

void Progress::update(std::int64_t done) {
  if (!io_.err_tty) return;
  long long now = io_.now_ms();
  if (now - last_ms_ < 100 && done < total_) return;  // at most ten redraws a second
  last_ms_ = now;
  shown_ = true;
  if (total_ > 0) {
    io_.err << fmt::format("\r\033[K{} {}/{} ({}%)", label_, done, total_, done * 100 / total_) << std::flush;
  } else {
    io_.err << fmt::format("\r\033[K{} {}", label_, done) << std::flush;
  }
}

}  // namespace opsctl::cmd
