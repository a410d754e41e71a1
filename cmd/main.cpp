// opsctl: operate BullMQ queues, PostgreSQL and health checks during incidents.
#include <csignal>

#include "cmd/app.h"
#include "cmd/io.h"

int main(int argc, char** argv) {
  // A reader that went away (a closed pipe, a server that reset our socket) is an error opsctl
  // reports and exits on with its cause, never a silent death by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  opsctl::cmd::Io io = opsctl::cmd::process_io();
  return opsctl::cmd::run(argc, argv, io);
}
