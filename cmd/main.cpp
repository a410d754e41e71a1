// opsctl: operate BullMQ queues, PostgreSQL and health checks during incidents.
#include "cmd/app.h"
#include "cmd/io.h"

int main(int argc, char** argv) {
  opsctl::cmd::Io io = opsctl::cmd::process_io();
  return opsctl::cmd::run(argc, argv, io);
}
