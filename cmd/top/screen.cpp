#include "cmd/top/screen.h"

#include <ncurses.h>

#include <sstream>

#include "cmd/interrupt.h"

namespace opsctl::cmd::top_view {
namespace {

short pair_of(Status s) {
  switch (s) {
    case Status::ok: return 1;
    case Status::warning: return 2;
    case Status::critical: return 3;
    case Status::unknown: return 4;
  }
  return 4;
}

}  // namespace

Screen::Screen(bool color) : color_(color) {
  initscr();
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);
  if (color_ && has_colors()) {
    start_color();
    use_default_colors();
    init_pair(1, COLOR_GREEN, -1);
    init_pair(2, COLOR_YELLOW, -1);
    init_pair(3, COLOR_RED, -1);
    init_pair(4, COLOR_MAGENTA, -1);
  } else {
    color_ = false;
  }
}

Screen::~Screen() { endwin(); }

int Screen::width() const { return COLS; }
int Screen::height() const { return LINES; }

void Screen::draw(const std::vector<top::Line>& lines) {
  erase();
  for (int y = 0; y < LINES && y < static_cast<int>(lines.size()); ++y) {
    const auto& l = lines[static_cast<std::size_t>(y)];
    attr_t a = A_NORMAL;
    if (l.bold) a |= A_BOLD;
    if (l.selected) a |= A_REVERSE;
    if (l.coloured && color_) a |= COLOR_PAIR(pair_of(l.level));
    if (l.coloured && !color_ && l.level == Status::critical) a |= A_BOLD;
    attrset(a);
    mvaddnstr(y, 0, l.text.c_str(), COLS);
  }
  attrset(A_NORMAL);
  refresh();
}

int Screen::key(int timeout_ms) {
  timeout(timeout_ms);
  const int c = getch();
  switch (c) {
    case ERR: return keys::none;
    case KEY_UP: return keys::up;
    case KEY_DOWN: return keys::down;
    case KEY_RESIZE: return keys::resize;
    case KEY_PPAGE: return keys::page_up;
    case KEY_NPAGE: return keys::page_down;
    case KEY_ENTER: case '\r': return keys::enter;
    case KEY_BACKSPACE: case 8: return keys::backspace;
    default: return c;
  }
}

std::string Screen::ask_line(const std::string& text) {
  std::vector<std::string> rows;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) rows.push_back(l);
  const int h = std::min(LINES - 2, static_cast<int>(rows.size()) + 2);
  const int top = std::max(0, (LINES - h) / 2);
  for (int y = 0; y < h; ++y) {
    move(top + y, 0);
    clrtoeol();
  }
  attrset(A_BOLD);
  for (int y = 0; y < h - 2 && y < static_cast<int>(rows.size()); ++y) mvaddnstr(top + y + 1, 1, rows[static_cast<std::size_t>(y)].c_str(), COLS - 2);
  attrset(A_NORMAL);
  curs_set(1);
  refresh();
  std::string answer;
  for (;;) {
    // Short waits, so a Ctrl-C (or SIGTERM) answers at once instead of at the next key.
    timeout(100);
    int c = getch();
    if (interrupted()) {
      answer.clear();
      break;
    }
    if (c == ERR) continue;
    if (c == '\n' || c == KEY_ENTER) break;
    if (c == 27) {
      answer.clear();
      break;
    }
    if ((c == KEY_BACKSPACE || c == 127 || c == 8) && !answer.empty()) answer.pop_back();
    else if (c >= 32 && c < 127) answer += static_cast<char>(c);
    mvaddnstr(top + h - 2, 1 + static_cast<int>(rows.empty() ? 0 : std::min<std::size_t>(rows.back().size(), COLS - 3)) + 1,
              (answer + " ").c_str(), COLS / 2);
    refresh();
  }
  curs_set(0);
  return answer;
}

bool ScreenPrompter::ask_yes_no(const std::string& text) {
  const std::string a = screen_.ask_line(text);
  return a == "y" || a == "Y" || a == "yes";
}

std::string ScreenPrompter::ask_typed(const std::string& text) { return screen_.ask_line(text); }

}  // namespace opsctl::cmd::top_view
