#pragma once
// Consent to a change, the same for every mutation and every runbook fix step: a read_only context
// refuses; --yes agrees, else a person on a terminal is asked, else it is refused; a context marked
// `confirm: true` also has its name typed on a terminal (once per run), even with --yes.
#include <functional>
#include <string>

namespace opsctl::mutation {

// Asks the person running opsctl. Implemented over the terminal by cmd/, faked by tests.
class Prompter {
 public:
  virtual ~Prompter() = default;
  // True when someone can answer: input and the prompt's stream are terminals.
  virtual bool interactive() const = 0;
  // Shows text (ending in the question) and reads one line: true for y, Y or yes.
  virtual bool ask_yes_no(const std::string& text) = 0;
  // Shows text and reads one line: what was typed ("" at the end of input).
  virtual std::string ask_typed(const std::string& text) = 0;
};

// What the context and the flags say about consent.
struct Consent {
  std::string context;         // the context's name; "" when none
  bool read_only = false;      // the context refuses every mutation
  bool type_context = false;   // `confirm: true`: its name is typed on a terminal
  bool yes = false;            // -y/--yes
};

enum class Refusal {
  none,                // go on
  no_tty,              // no --yes and nobody to ask
  declined,            // the question was answered no
  context_not_typed,   // the context's name was not typed
};

// Whether to ask even with --yes (typing a queue name to obliterate it).
enum class AskAlways { no, yes };

class Gate {
 public:
  Gate(Consent consent, Prompter& prompter) : consent_(std::move(consent)), prompter_(prompter) {}

  const Consent& consent() const { return consent_; }

  // Asks unless --yes (or always, on a terminal), through ask, which returns true when agreed;
  // then the typed context name, once per Gate. Returns why not, or Refusal::none.
  Refusal approve(AskAlways always, const std::function<bool(Prompter&)>& ask);

 private:
  Consent consent_;
  Prompter& prompter_;
  bool context_typed_ = false;
};

}  // namespace opsctl::mutation
