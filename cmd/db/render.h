#pragma once
// Text renderings shared by the db verbs.
#include <string>
#include <vector>

#include "db/activity.h"

namespace opsctl::cmd {

// PID, BACKEND START, USER, APP, CLIENT, STATE, AGE, XACT AGE, WAIT, QUERY; with results (same size
// as rows) a RESULT column after PID. Control bytes in queries are escaped, newlines flattened.
std::string sessions_table(const std::vector<db::SessionRow>& rows, const std::vector<std::string>& results = {});

// A query or name made safe for one terminal line.
std::string one_line(const std::string& s, std::size_t max_bytes);

}  // namespace opsctl::cmd
