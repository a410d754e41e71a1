#include "core/error.h"

namespace opsctl {

const char* to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::usage: return "usage";
    case ErrorKind::config: return "config";
    case ErrorKind::connection_refused: return "connection_refused";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::dns: return "dns";
    case ErrorKind::tls: return "tls";
    case ErrorKind::auth: return "auth";
    case ErrorKind::too_many_clients: return "too_many_clients";
    case ErrorKind::connection_lost: return "connection_lost";
    case ErrorKind::unavailable: return "unavailable";
    case ErrorKind::permission: return "permission";
    case ErrorKind::bad_data: return "bad_data";
    case ErrorKind::io: return "io";
    case ErrorKind::not_done: return "not_done";
    case ErrorKind::failed: return "failed";
    case ErrorKind::internal: return "internal";
  }
  return "failed";
}

}  // namespace opsctl
