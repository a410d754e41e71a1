#include "mutation/gate.h"

#include <fmt/format.h>

namespace opsctl::mutation {

Refusal Gate::approve(AskAlways always, const std::function<bool(Prompter&)>& ask) {
  const bool tty = prompter_.interactive();
  if (!consent_.yes || always == AskAlways::yes) {
    if (!tty && !consent_.yes) return Refusal::no_tty;
    if (tty && !ask(prompter_)) return Refusal::declined;
  }
  // A `confirm: true` context (production): on a terminal the user also types its name, even with
  // --yes, so a mutation never lands on the wrong cluster by a stale current-context.
  if (consent_.type_context && tty && !context_typed_) {
    const std::string typed = prompter_.ask_typed(
        fmt::format("Context {} asks for confirmation: type its name to continue: ", consent_.context));
    if (typed != consent_.context) return Refusal::context_not_typed;
    context_typed_ = true;
  }
  return Refusal::none;
}

}  // namespace opsctl::mutation
