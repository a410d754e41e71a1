#include "runbook/model.h"

namespace opsctl::runbook {

std::string_view to_string(ParamType t) {
  switch (t) {
    case ParamType::string: return "string";
    case ParamType::integer: return "int";
    case ParamType::duration: return "duration";
    case ParamType::url: return "url";
    case ParamType::path: return "path";
    case ParamType::command: return "command";
  }
  return "string";
}

std::string_view to_string(StepKind k) {
  switch (k) {
    case StepKind::diagnose: return "diagnose";
    case StepKind::fix: return "fix";
    case StepKind::verify: return "verify";
  }
  return "diagnose";
}

std::string_view to_string(OnFailure f) {
  switch (f) {
    case OnFailure::stop: return "stop";
    case OnFailure::proceed: return "continue";
    case OnFailure::rollback: return "rollback";
  }
  return "stop";
}

int ActionCall::line_of(const std::string& arg) const {
  for (const auto& [name, line] : with_lines) {
    if (name == arg) return line;
  }
  return line;
}

const Param* Runbook::param(const std::string& name) const {
  for (const auto& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const Step* Runbook::step(const std::string& id) const {
  for (const auto& s : steps) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

}  // namespace opsctl::runbook
