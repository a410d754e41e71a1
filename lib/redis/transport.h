#pragma once
// The byte stream under a Redis connection: TCP, a Unix socket, or TLS over TCP (OpenSSL), every
// wait bounded by a deadline. hiredis only formats commands and parses replies above it, so the
// connection works the same whatever the Debian hiredis build supports.
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "redis/target.h"

namespace opsctl::redis {

using Clock = std::chrono::steady_clock;

// Why a transport failed; the client turns it into the message an on-call engineer can act on.
struct TransportError : std::runtime_error {
  enum class Kind { refused, timeout, closed, dns, tls, other };
  TransportError(Kind k, const std::string& what) : std::runtime_error(what), kind(k) {}
  Kind kind;
};

class Transport {
 public:
  // Connects (and completes the TLS handshake) before `deadline`. Throws TransportError.
  static std::unique_ptr<Transport> open(const Target& target, Clock::time_point deadline);
  virtual ~Transport() = default;

  // Writes every byte before the deadline, or throws.
  virtual void write_all(std::string_view data, Clock::time_point deadline) = 0;
  // Reads what is there (at least one byte) before the deadline, or throws; 0 is never returned:
  // a closed connection throws Kind::closed.
  virtual std::size_t read_some(char* buf, std::size_t len, Clock::time_point deadline) = 0;
};

}  // namespace opsctl::redis
