#pragma once
// The actions of `opsctl top`, each through the mutation protocol the commands use (plan, preview in
// a dialog, typed context name where the context asks, audit line, apply): retry the failed jobs of
// one reason, resume a queue, terminate a database session, unstick a queue's active jobs without a lock. Each returns the line the
// view shows; a refusal or a failure is that line too, never an exception.
#include <string>

#include "cmd/session.h"
#include "cmd/top/screen.h"

namespace opsctl::cmd::top_view {

// Why actions are disabled in this session ("context prod is read_only"), or "".
std::string read_only_reason(Session& s);

std::string retry_reason(Session& s, Screen& screen, const std::string& queue, const std::string& reason);
std::string resume_queue(Session& s, Screen& screen, const std::string& queue);
std::string unstick_queue(Session& s, Screen& screen, const std::string& queue);
// pg_terminate_backend of one session, guarded by its pid AND backend_start, as db terminate --pid.
std::string terminate_session(Session& s, Screen& screen, std::int64_t pid, const std::string& backend_start);

}  // namespace opsctl::cmd::top_view
