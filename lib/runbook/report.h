#pragma once
// What a run produced, for people and programs: the JSON document of opsctl(1), runbook run
// {"runbook","status","steps":[{"id","kind","status","findings":[{"name","value"}],"changed"}]} (and
// more fields), and the markdown transcript to paste into the incident. Secrets are redacted.
#include <string>

#include <nlohmann/json.hpp>

#include "runbook/executor.h"

namespace opsctl::runbook {

nlohmann::json to_json(const RunReport& r);
nlohmann::json to_json(const StepReport& s);

// Who ran it and how, for the transcript's header.
struct TranscriptInfo {
  std::string user;
  std::string host;
  std::string context;       // "" when none
  std::string command_line;  // redacted on output
};

// Markdown: header table, what was found, what was done, verification, a timeline, the comms
// template filled in.
std::string transcript_markdown(const RunReport& r, const TranscriptInfo& info);

// A finding's value for one line of text: strings as they are (cut at 200 bytes), others as JSON.
std::string short_value(const nlohmann::json& v);

}  // namespace opsctl::runbook
