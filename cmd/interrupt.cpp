#include "cmd/interrupt.h"

#include <csignal>
#include <thread>

namespace opsctl::cmd {
namespace {

// A signal handler can only reach a flag of static storage.
volatile std::sig_atomic_t stop_requested = 0;
struct sigaction previous_int, previous_term;

void on_signal(int) { stop_requested = 1; }

}  // namespace

InterruptGuard::InterruptGuard() {
  stop_requested = 0;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &previous_int);
  sigaction(SIGTERM, &sa, &previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
}

bool interrupted() { return stop_requested != 0; }

void sleep_unless_interrupted(std::chrono::milliseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (!interrupted() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(std::chrono::milliseconds(50), d));
  }
}

}  // namespace opsctl::cmd
