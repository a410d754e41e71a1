#pragma once
// The terminal of `opsctl top` through ncurses: frames of lines drawn with verdict colours (none under
// NO_COLOR or --no-color), keys read with a short timeout so the view never blocks on input, and the
// confirmation dialogs of the mutation protocol. Only the UI thread touches it.
#include <string>
#include <vector>

#include "mutation/gate.h"
#include "top/layout.h"

namespace opsctl::cmd::top_view {

// Keys as the view reads them (ncurses' own macros stay inside screen.cpp: they clash with C++ names).
namespace keys {
constexpr int none = -1, esc = 27, enter = '\n', tab = '\t', backspace = 127;
constexpr int up = 0x1001, down = 0x1002, resize = 0x1003, page_up = 0x1004, page_down = 0x1005;
}  // namespace keys

class Screen {
 public:
  explicit Screen(bool color);  // initscr: the alternate screen, cbreak, no echo
  ~Screen();                    // endwin: the terminal as it was
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;

  int width() const;
  int height() const;
  void draw(const std::vector<top::Line>& lines);
  // A key within timeout_ms (keys::none when none came); a resize comes as keys::resize.
  int key(int timeout_ms);
  // A dialog over the frame: the text, then a line read with echo (Enter ends it; Esc, and Ctrl-C or
  // SIGTERM at once, give "": nothing is confirmed, and the view then ends).
  std::string ask_line(const std::string& text);

 private:
  bool color_;
};

// The protocol's questions as dialogs on the screen.
class ScreenPrompter final : public mutation::Prompter {
 public:
  explicit ScreenPrompter(Screen& screen) : screen_(screen) {}
  bool interactive() const override { return true; }
  bool ask_yes_no(const std::string& text) override;
  std::string ask_typed(const std::string& text) override;

 private:
  Screen& screen_;
};

}  // namespace opsctl::cmd::top_view
