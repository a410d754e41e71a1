#include "redis/resolve.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace opsctl::redis {
namespace {

// One lookup, shared by the caller and the thread running it: whoever finishes last frees it, and
// the thread frees the answer when the caller has given up waiting for it.
struct Lookup {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  bool abandoned = false;
  int rc = 0;
  addrinfo* res = nullptr;
};

addrinfo hints_for(int flags) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags;
  return hints;
}

[[noreturn]] void fail(const std::string& host, int rc) {
  throw TransportError(TransportError::Kind::dns, fmt::format("{}: {}", host, ::gai_strerror(rc)));
}

}  // namespace

AddrInfoPtr resolve(const std::string& host, int port, Clock::time_point deadline) {
  const std::string service = std::to_string(port);
  addrinfo* res = nullptr;
  const addrinfo numeric = hints_for(AI_NUMERICHOST | AI_NUMERICSERV);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &numeric, &res);
  if (rc == 0) return {res, ::freeaddrinfo};
  if (rc != EAI_NONAME) fail(host, rc);

  auto lookup = std::make_shared<Lookup>();
  std::thread([lookup, host, service] {
    const addrinfo hints = hints_for(AI_NUMERICSERV);
    addrinfo* found = nullptr;
    const int code = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
    std::lock_guard lock(lookup->m);
    if (lookup->abandoned) {
      if (code == 0) ::freeaddrinfo(found);
      return;
    }
    lookup->done = true;
    lookup->rc = code;
    lookup->res = found;
    lookup->cv.notify_one();
  }).detach();

  std::unique_lock lock(lookup->m);
  if (!lookup->cv.wait_until(lock, deadline, [&] { return lookup->done; })) {
    lookup->abandoned = true;
    throw TransportError(TransportError::Kind::dns,
                         fmt::format("{}: no answer from the DNS servers within --timeout", host));
  }
  if (lookup->rc != 0) fail(host, lookup->rc);
  return {lookup->res, ::freeaddrinfo};
}

}  // namespace opsctl::redis
