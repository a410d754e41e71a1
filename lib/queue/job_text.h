#pragma once
// One job as the text of `opsctl job show`: labelled fields, the last attempt's stacktrace, the logs
// and the problems found, from the document queue::to_json makes. Control bytes in job fields are
// shown escaped (\x1b), never sent raw to a terminal. `opsctl top` shows the same text in its job view.
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace opsctl::queue {

// Control bytes other than newline and tab as \xNN.
std::string printable(const std::string& s);

// The colour of a job's state: failed is critical, unknown unknown, the rest ok.
Status state_status(const nlohmann::json& doc);

// color: the state (and the problems' heading) in verdict colours.
std::string job_text(const nlohmann::json& doc, bool color);

// "job 42 send failed attempts 3: SMTP 421 try again later": the job in one line (the first line of
// its failedReason, when it has one).
std::string job_summary(const nlohmann::json& doc);

}  // namespace opsctl::queue
