#pragma once
// Placeholders in runbook strings: "{params.queue}", "{steps.counts.findings.waiting}", "{to}".
// "{{" and "}}" are literal braces. Substitution is one pass: a substituted value is never scanned
// for placeholders again, so a parameter holding "{params.x}" or "$(rm -rf /)" stays that text.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runbook/expr.h"

namespace opsctl::runbook {

struct TemplatePart {
  std::string text;            // literal text (ref empty)
  std::optional<RefPath> ref;  // a placeholder
  std::size_t pos = 0;         // byte offset of the part in the template
};

class Template {
 public:
  // Throws ExprError (with the byte position) on an unclosed '{', a lone '}' or a bad reference.
  static Template parse(std::string_view text);

  const std::vector<TemplatePart>& parts() const { return parts_; }
  // Exactly one placeholder and no text: rendering keeps the value's type.
  bool is_single_ref() const { return parts_.size() == 1 && parts_[0].ref.has_value(); }
  std::vector<RefPath> references() const;

 private:
  std::vector<TemplatePart> parts_;
};

// What templates and expressions read.
struct Scope {
  nlohmann::json data = nlohmann::json::object();  // {"params", "steps", "findings", "runbook", "run"}
  std::map<std::string, std::string> param_text;  // parameters as given: templates show "5m", not 300000
  std::map<std::string, std::vector<std::string>> command_params;  // argv word templates of command params
};

// A placeholder with no value (an unset parameter, a finding of a skipped step).
class RenderError : public std::runtime_error {
 public:
  RenderError(RefPath ref, const std::string& message) : std::runtime_error(message), ref_(std::move(ref)) {}
  const RefPath& ref() const { return ref_; }

 private:
  RefPath ref_;
};

enum class Missing { error, empty };  // empty: "n/a" for comms and titles

// A single-placeholder template keeps the value's type (a command parameter becomes
// {"argv_template": [words]}); anything else renders to a string.
nlohmann::json render(const Template& t, const Scope& scope, Missing missing = Missing::error);
std::string render_text(const Template& t, const Scope& scope, Missing missing = Missing::error);

// Renders the strings inside a `with:` value (lists and maps recursively; keys stay as written).
nlohmann::json render_value(const nlohmann::json& value, const Scope& scope);

// Renders a step's with: map. An argument that is exactly one reference to an optional parameter
// that was not given is left out, so the action's own default applies.
nlohmann::json render_args(const nlohmann::json& with, const Scope& scope);

// A value as text: strings as they are, other values as JSON.
std::string value_text(const nlohmann::json& v);

// Every placeholder inside a with: value.
std::vector<RefPath> value_references(const nlohmann::json& value);

}  // namespace opsctl::runbook
