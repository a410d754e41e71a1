#pragma once
// The CLI in-process with a fake Io: args in, exit code and the exact stdout and stderr out.
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cmd/app.h"
#include "cmd/io.h"

namespace opsctl_test {

struct Run {
  int code = 0;
  std::string out, err;
};

// Runs opsctl with args; an empty environment (so no user config is read: OPSCTL_CONFIG points at
// nothing that exists only when a test says so) and a fixed clock.
// tty: stdout and stderr are terminals (success chatter goes to a terminal only).
inline Run run_opsctl(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                      bool break_stdout = false, bool tty = false) {
  std::ostringstream out, err;
  std::istringstream in;
  if (break_stdout) out.setstate(std::ios::badbit);
  env.emplace("HOME", "/nonexistent-opsctl-test-home");
  opsctl::cmd::Io io{out,
                     err,
                     in,
                     tty,
                     tty,
                     false,
                     [env](const std::string& k) -> std::optional<std::string> {
                       auto it = env.find(k);
                       if (it == env.end()) return std::nullopt;
                       return it->second;
                     },
                     [] { return 1'800'000'000'000LL; }};
  args.insert(args.begin(), "opsctl");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  Run r;
  r.code = opsctl::cmd::run(static_cast<int>(argv.size()), argv.data(), io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace opsctl_test
