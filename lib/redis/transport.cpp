#include "redis/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <cstring>

#include <fmt/format.h>

#include "redis/resolve.h"

namespace opsctl::redis {
namespace {

using Kind = TransportError::Kind;

[[noreturn]] void fail_errno(int err) {
  if (err == ECONNREFUSED || err == ENOENT) throw TransportError(Kind::refused, std::strerror(err));
  if (err == ECONNRESET || err == EPIPE) throw TransportError(Kind::closed, std::strerror(err));
  throw TransportError(Kind::other, std::strerror(err));
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > INT32_MAX ? INT32_MAX : static_cast<int>(left);
}

// Waits until fd is ready for `events` or the deadline passes (Kind::timeout).
void wait_fd(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int ms = remaining_ms(deadline);
    if (ms == 0) throw TransportError(Kind::timeout, "timed out");
    const int n = ::poll(&p, 1, ms);
    if (n > 0) return;  // readable, writable, or an error/hangup the next call reports
    if (n == 0) throw TransportError(Kind::timeout, "timed out");
    if (errno != EINTR) fail_errno(errno);
  }
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { if (fd_ >= 0) ::close(fd_); }
  int get() const { return fd_; }
  int release() { int f = fd_; fd_ = -1; return f; }
 private:
  int fd_;
};

// A non-blocking connect to one address, finished within the deadline.
int connect_one(const sockaddr* addr, socklen_t len, int family, Clock::time_point deadline) {
  Fd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) fail_errno(errno);
  if (::connect(fd.get(), addr, len) != 0) {
    if (errno != EINPROGRESS && errno != EINTR) fail_errno(errno);
    wait_fd(fd.get(), POLLOUT, deadline);
    int err = 0;
    socklen_t el = sizeof err;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &el) != 0) fail_errno(errno);
    if (err != 0) fail_errno(err);
  }
  if (family != AF_UNIX) {
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  }
  return fd.release();
}

int connect_tcp(const std::string& host, int port, Clock::time_point deadline) {
  AddrInfoPtr list = resolve(host, port, deadline);
  // Every address in turn (IPv6 and IPv4 of one name); the first error is the one reported, unless
  // a later address times out, which says more about the deadline.
  std::optional<TransportError> first;
  for (addrinfo* a = list.get(); a; a = a->ai_next) {
    try {
      return connect_one(a->ai_addr, a->ai_addrlen, a->ai_family, deadline);
    } catch (const TransportError& e) {
      if (!first || e.kind == Kind::timeout) first = e;
      if (e.kind == Kind::timeout) break;
    }
  }
  throw first ? *first : TransportError(Kind::dns, host + ": no address");
}

int connect_unix(const std::string& path, Clock::time_point deadline) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw TransportError(Kind::other, "socket path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return connect_one(reinterpret_cast<const sockaddr*>(&addr), sizeof addr, AF_UNIX, deadline);
}

class PlainTransport : public Transport {
 public:
  explicit PlainTransport(int fd) : fd_(fd) {}

  void write_all(std::string_view data, Clock::time_point deadline) override {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        wait_fd(fd_.get(), POLLOUT, deadline);
      } else if (n < 0 && errno != EINTR) {
        fail_errno(errno);
      }
    }
  }

  std::size_t read_some(char* buf, std::size_t len, Clock::time_point deadline) override {
    for (;;) {
      const ssize_t n = ::recv(fd_.get(), buf, len, 0);
      if (n > 0) return static_cast<std::size_t>(n);
      if (n == 0) throw TransportError(Kind::closed, "connection closed");
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        wait_fd(fd_.get(), POLLIN, deadline);
      } else if (errno != EINTR) {
        fail_errno(errno);
      }
    }
  }

 protected:
  Fd fd_;
};

// The OpenSSL error queue as one line, emptied.
std::string ssl_errors() {
  std::string out;
  while (unsigned long e = ::ERR_get_error()) {
    char buf[256];
    ::ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    const char* reason = ::ERR_reason_error_string(e);
    out += reason ? reason : buf;
  }
  return out;
}

bool is_ip_literal(const std::string& host) {
  in6_addr a6{};
  in_addr a4{};
  return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

struct CtxFree { void operator()(SSL_CTX* c) const { ::SSL_CTX_free(c); } };
struct SslFree { void operator()(SSL* s) const { ::SSL_free(s); } };

class TlsTransport : public PlainTransport {
 public:
  TlsTransport(int fd, const Target& t, Clock::time_point deadline) : PlainTransport(fd) {
    const TlsSettings& o = t.tls;
    ctx_.reset(::SSL_CTX_new(::TLS_client_method()));
    if (!ctx_) throw TransportError(Kind::tls, "TLS setup failed: " + ssl_errors());
    ::SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_2_VERSION);
    if (!o.insecure) {
      ::SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
      const int ok = o.ca_file.empty() ? ::SSL_CTX_set_default_verify_paths(ctx_.get())
                                       : ::SSL_CTX_load_verify_locations(ctx_.get(), o.ca_file.c_str(), nullptr);
      if (ok != 1) throw TransportError(Kind::tls, fmt::format("cannot load the CA file {}: {}", o.ca_file, ssl_errors()));
    }
    if (!o.cert_file.empty()) {
      if (::SSL_CTX_use_certificate_chain_file(ctx_.get(), o.cert_file.c_str()) != 1) {
        throw TransportError(Kind::tls, fmt::format("cannot load the client certificate {}: {}", o.cert_file, ssl_errors()));
      }
      const std::string& key = o.key_file.empty() ? o.cert_file : o.key_file;
      if (::SSL_CTX_use_PrivateKey_file(ctx_.get(), key.c_str(), SSL_FILETYPE_PEM) != 1 ||
          ::SSL_CTX_check_private_key(ctx_.get()) != 1) {
        throw TransportError(Kind::tls, fmt::format("cannot load the client key {}: {}", key, ssl_errors()));
      }
    }
    ssl_.reset(::SSL_new(ctx_.get()));
    if (!ssl_ || ::SSL_set_fd(ssl_.get(), fd_.get()) != 1) throw TransportError(Kind::tls, "TLS setup failed: " + ssl_errors());
    ::SSL_set_mode(ssl_.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const std::string name = o.server_name.empty() ? t.host : o.server_name;
    if (!is_ip_literal(name)) ::SSL_set_tlsext_host_name(ssl_.get(), name.c_str());
    if (!o.insecure) {
      X509_VERIFY_PARAM* param = ::SSL_get0_param(ssl_.get());
      const int ok = is_ip_literal(name) ? ::X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                                         : ::X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
      if (ok != 1) throw TransportError(Kind::tls, "TLS setup failed: bad server name " + name);
    }
    ::ERR_clear_error();
    for (;;) {
      const int rc = ::SSL_connect(ssl_.get());
      if (rc == 1) break;
      step(rc, deadline, "handshake");
    }
  }

  void write_all(std::string_view data, Clock::time_point deadline) override {
    while (!data.empty()) {
      ::ERR_clear_error();
      const int n = ::SSL_write(ssl_.get(), data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30)));
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
      } else {
        step(n, deadline, "write");
      }
    }
  }

  std::size_t read_some(char* buf, std::size_t len, Clock::time_point deadline) override {
    for (;;) {
      ::ERR_clear_error();
      const int n = ::SSL_read(ssl_.get(), buf, static_cast<int>(std::min<std::size_t>(len, 1 << 30)));
      if (n > 0) return static_cast<std::size_t>(n);
      step(n, deadline, "read");
    }
  }

  ~TlsTransport() override {
    if (ssl_ && ::SSL_is_init_finished(ssl_.get())) ::SSL_shutdown(ssl_.get());  // best effort close_notify
  }

 private:
  // After an SSL call returned rc <= 0: wait for what it needs, or throw what went wrong.
  void step(int rc, Clock::time_point deadline, std::string_view during) {
    const int e = ::SSL_get_error(ssl_.get(), rc);
    if (e == SSL_ERROR_WANT_READ) return wait_fd(fd_.get(), POLLIN, deadline);
    if (e == SSL_ERROR_WANT_WRITE) return wait_fd(fd_.get(), POLLOUT, deadline);
    if (e == SSL_ERROR_ZERO_RETURN) throw TransportError(Kind::closed, "connection closed");
    const int saved = errno;
    const long verify = ::SSL_get_verify_result(ssl_.get());
    if (during == "handshake" && verify != X509_V_OK) {
      throw TransportError(Kind::tls, fmt::format("TLS certificate verification failed: {}",
                                                  ::X509_verify_cert_error_string(verify)));
    }
    // TLS 1.3: a server that wants a client certificate says so after the handshake, at the first
    // read (or resets the connection, which reads as closed): the same case either way.
    const bool cert_required = ERR_GET_REASON(::ERR_peek_error()) == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED;
    std::string detail = ssl_errors();
    if (e == SSL_ERROR_SYSCALL && detail.empty()) {
      if (rc == 0 || saved == 0) throw TransportError(Kind::closed, "connection closed");
      fail_errno(saved);
    }
    if (cert_required) throw TransportError(Kind::closed, detail);
    throw TransportError(during == "handshake" ? Kind::tls : Kind::other,
                         fmt::format("TLS {} failed: {}", during, detail.empty() ? "unknown error" : detail));
  }

  std::unique_ptr<SSL_CTX, CtxFree> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
};

}  // namespace

std::unique_ptr<Transport> Transport::open(const Target& target, Clock::time_point deadline) {
  if (!target.unix_path.empty()) return std::make_unique<PlainTransport>(connect_unix(target.unix_path, deadline));
  const int fd = connect_tcp(target.host, target.port, deadline);
  if (!target.tls.enabled) return std::make_unique<PlainTransport>(fd);
  return std::make_unique<TlsTransport>(fd, target, deadline);
}

}  // namespace opsctl::redis
