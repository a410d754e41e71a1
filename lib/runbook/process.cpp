#include "runbook/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/error.h"

extern char** environ;

namespace opsctl::runbook {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The child stays in opsctl's process group: Ctrl-C on the terminal stops both.
constexpr milliseconds kill_grace{2000};   // SIGTERM, then SIGKILL this much later
constexpr milliseconds drain_grace{200};   // after the program exits, a grandchild may hold the pipes

struct Fd {
  int fd = -1;
  ~Fd() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

struct Spawn {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  Spawn() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~Spawn() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

void collect(int fd, std::string& into, bool& truncated, std::size_t max, bool& eof) {
  char buf[8192];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    eof = true;
    return;
  }
  std::size_t room = max > into.size() ? max - into.size() : 0;
  into.append(buf, std::min(room, static_cast<std::size_t>(n)));
  if (static_cast<std::size_t>(n) > room) truncated = true;
}

void decode_status(int status, ProcessResult& r) {
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    r.exit_code = 128 + r.signal;
  }
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, milliseconds timeout, std::size_t max_output) {
  if (argv.empty() || argv[0].empty()) throw usage_error("exec: the command is empty");
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw critical_error(fmt::format("exec: pipe: {}", std::strerror(errno)));
  Fd out_r{out_pipe[0]}, out_w{out_pipe[1]};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw critical_error(fmt::format("exec: pipe: {}", std::strerror(errno)));
  Fd err_r{err_pipe[0]}, err_w{err_pipe[1]};

  Spawn sp;
  posix_spawn_file_actions_addopen(&sp.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&sp.actions, out_w.fd, 1);
  posix_spawn_file_actions_adddup2(&sp.actions, err_w.fd, 2);
  sigset_t defaults, mask;
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&defaults, s);
  sigemptyset(&mask);
  posix_spawnattr_setsigdefault(&sp.attr, &defaults);
  posix_spawnattr_setsigmask(&sp.attr, &mask);
  posix_spawnattr_setflags(&sp.attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto start = Clock::now();
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, argv[0].c_str(), &sp.actions, &sp.attr, args.data(), environ);
  out_w.close();
  err_w.close();
  if (rc != 0) {
    throw critical_error(fmt::format("exec {}: {}{}", argv[0], std::strerror(rc),
                                     rc == ENOENT && argv[0].find('/') == std::string::npos ? " (not found on PATH)" : ""));
  }

  ProcessResult r;
  bool out_eof = false, err_eof = false, reaped = false, termed = false, killed = false;
  Clock::time_point deadline = start + timeout, exited_at{}, term_at{};
  while (!(out_eof && err_eof)) {
    auto now = Clock::now();
    if (!reaped) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        decode_status(status, r);
        reaped = true;
        exited_at = now;
      }
    }
    if (reaped && now - exited_at >= drain_grace) break;
    if (!reaped && now >= deadline && !termed) {
      r.timed_out = termed = true;
      term_at = now;
      ::kill(pid, SIGTERM);
    }
    if (termed && !reaped && !killed && now - term_at >= kill_grace) {
      killed = true;
      ::kill(pid, SIGKILL);
    }
    pollfd fds[2] = {{out_eof ? -1 : out_r.fd, POLLIN, 0}, {err_eof ? -1 : err_r.fd, POLLIN, 0}};
    ::poll(fds, 2, 50);
    if (!out_eof && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) collect(out_r.fd, r.out, r.out_truncated, max_output, out_eof);
    if (!err_eof && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) collect(err_r.fd, r.err, r.err_truncated, max_output, err_eof);
  }
  if (!reaped) {
    // Output closed but the program runs on: wait for it within the deadline, then end it.
    for (;;) {
      int status = 0;
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        decode_status(status, r);
        break;
      }
      auto now = Clock::now();
      if (now >= deadline && !termed) {
        r.timed_out = termed = true;
        term_at = now;
        ::kill(pid, SIGTERM);
      }
      if (termed && !killed && now - term_at >= kill_grace) {
        killed = true;
        ::kill(pid, SIGKILL);
      }
      ::usleep(10000);
    }
  }
  r.duration_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
  return r;
}

}  // namespace opsctl::runbook
