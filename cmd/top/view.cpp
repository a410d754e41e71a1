// The live view of `opsctl top`: a fetch thread produces snapshots; the UI thread redraws with the
// last one and its age, and answers keys, so a slow or dead server never freezes the screen.
#include <algorithm>
#include <thread>

#include "cmd/interrupt.h"
#include "cmd/top/actions.h"
#include "cmd/top/feed.h"
#include "cmd/top/screen.h"
#include "cmd/top/top.h"
#include "top/db_frame.h"
#include "top/job_view.h"

namespace opsctl::cmd::top_view {
namespace {

class Ui {
 public:
  Ui(Session& s, Fetcher& fetcher, top::View view, Shared& sh, Screen& screen)
      : s_(s), fetcher_(fetcher), view_(std::move(view)), sh_(sh), screen_(screen) {}

  void loop() {
    view_.read_only = fetcher_.fleet() ? "" : read_only_reason(s_);
    // Redraws on a key, a resize, new data, or once a second for the data's age: nothing else changes.
    bool dirty = true;
    std::int64_t drawn_at = 0;
    std::uint64_t drawn = 0;
    while (!interrupted()) {
      const auto now = s_.io().now_ms();
      if (dirty || fetched() != drawn || now - drawn_at >= 1000) {
        drawn = fetched();
        drawn_at = now;
        draw();
      }
      const int k = screen_.key(200);
      dirty = k != keys::none;
      if (k == keys::none || k == keys::resize) continue;
      if (!handle(k)) return;
    }
  }

 private:
  std::uint64_t fetched() {
    std::lock_guard lock(sh_.mu);
    return sh_.fetched;
  }

  std::vector<top::QueueRow> rows() {
    std::lock_guard lock(sh_.mu);
    return top::arrange(sh_.snap.rows, view_.sort, view_.filter);
  }

  void draw() {
    view_.now_ms = s_.io().now_ms();
    std::lock_guard lock(sh_.mu);
    const int w = screen_.width(), h = screen_.height();
    top::View v = view_;
    switch (tab_) {
      case Tab::queues: screen_.draw(top::queues_frame(sh_.snap, v, w, h)); break;
      case Tab::help: screen_.draw(top::help_frame(w, h)); break;
      case Tab::drill:
        v.selected = reason_;
        if (job_) {
          const auto pane = job_pane();
          screen_.draw(top::job_frame(pane, job_body(pane, w), sh_.snap, v, w, h));
        } else if (sh_.drill) screen_.draw(top::drill_frame(*sh_.drill, sh_.snap, v, w, h));
        else screen_.draw(top::fit({{"loading " + sh_.queue + "..."}, {sh_.detail_error}}, w, h));
        break;
      case Tab::db:
        v.selected = reason_;
        screen_.draw(top::db_frame(sh_.pool, sh_.detail_error, sh_.snap, v, w, h)); break;
    }
  }

  void switch_to(Tab t, const std::string& context = "", const std::string& queue = "") {
    tab_ = t;
    reason_ = 0;
    job_.reset();
    view_.message.clear();
    std::lock_guard lock(sh_.mu);
    sh_.tab = t;
    sh_.context = context;
    sh_.queue = queue;
    sh_.job_id.clear();
    sh_.forget_job();
    sh_.drill.reset();
    ++sh_.asked;
    sh_.wake.notify_all();
  }

  void refresh_now() {
    std::lock_guard lock(sh_.mu);
    ++sh_.asked;
    sh_.wake.notify_all();
  }

  // Why actions are refused in this view ("" when they are not).
  std::string refusal() const {
    if (!view_.read_only.empty()) return "read-only: " + view_.read_only;
    if (fetcher_.fleet()) return "actions work in one context: run opsctl top --context NAME";
    return "";
  }

  // Runs an action unless refused; the outcome goes to the status line.
  template <typename F>
  void act(F&& action) {
    view_.message = refusal();
    if (!view_.message.empty()) return;
    view_.message = action();
    refresh_now();
  }

  std::string selected_queue() {
    if (tab_ == Tab::drill) {
      std::lock_guard lock(sh_.mu);
      return sh_.queue;
    }
    auto r = rows();
    return view_.selected < r.size() ? r[view_.selected].s.queue : "";
  }

  bool handle_filter(int k) {
    if (k == keys::enter) view_.editing_filter = false;
    else if (k == keys::esc) {
      view_.filter.clear();
      view_.editing_filter = false;
    }
    else if (k == keys::backspace && !view_.filter.empty()) view_.filter.pop_back();
    else if (k >= 32 && k < 127) view_.filter += static_cast<char>(k);
    view_.selected = 0;
    return true;
  }

  bool handle(int k) {
    if (view_.editing_filter) return handle_filter(k);
    if (k == 'q') return false;
    if (job_ && tab_ == Tab::drill && k != '?' && k != keys::tab) return handle_job(k), true;
    // The help is over the tab it was opened from: ? or Esc go back there (the fetch thread never left it).
    if ((k == '?' || k == keys::esc) && tab_ == Tab::help) {
      tab_ = help_from_;
      return true;
    }
    if (k == keys::esc) return tab_ == Tab::queues || (switch_to(Tab::queues), true);
    if (k == '?') {
      help_from_ = tab_;
      tab_ = Tab::help;
    } else if (k == keys::tab) switch_to(tab_ == Tab::db ? Tab::queues : Tab::db, selected_context());
    else if (tab_ == Tab::queues) handle_queues(k);
    else if (tab_ == Tab::drill) handle_drill(k);
    else if (tab_ == Tab::db) handle_db(k);
    return true;
  }

  std::string selected_context() {
    auto r = rows();
    return view_.selected < r.size() ? r[view_.selected].s.context : "";
  }

  void handle_queues(int k) {
    const auto n = rows().size();
    if ((k == keys::down || k == 'j') && view_.selected + 1 < n) ++view_.selected;
    else if ((k == keys::up || k == 'k') && view_.selected > 0) --view_.selected;
    else if (k == '/') view_.editing_filter = true;
    else if (k == 's') view_.sort = top::next(view_.sort);
    else if (k == keys::enter && view_.selected < n) switch_to(Tab::drill, selected_context(), selected_queue());
    else if (k == 'R') act([&] { return resume_queue(s_, screen_, selected_queue()); });
  }

  void handle_drill(int k) {
    std::optional<top::ReasonRow> reason;
    std::size_t reasons = 0;
    {
      std::lock_guard lock(sh_.mu);
      if (sh_.drill) {
        reasons = sh_.drill->reasons.size();
        if (reason_ < reasons) reason = sh_.drill->reasons[reason_];
      }
    }
    const std::string queue = selected_queue();
    if (k == keys::down && reason_ + 1 < reasons) ++reason_;
    else if (k == keys::up && reason_ > 0) --reason_;
    else if (k == 'r' && reason) act([&] { return retry_reason(s_, screen_, queue, reason->reason); });
    else if (k == 'R') act([&] { return resume_queue(s_, screen_, queue); });
    else if (k == 'u') act([&] { return unstick_queue(s_, screen_, queue); });
    else if (k == 'j' && reason && !reason->sample_ids.empty()) open_job(queue, *reason);
  }

  // The job view over the drill-down: the reason's jobs, the newest first.
  void open_job(const std::string& queue, const top::ReasonRow& reason) {
    top::JobPane p;
    p.queue = queue;
    p.reason = reason.reason;
    p.ids = reason.sample_ids;
    job_ = std::move(p);
    view_.message.clear();
    show_job();
  }

  // Asks the fetch thread for the job under the view's index (or for none: the drill-down again).
  void show_job() {
    std::lock_guard lock(sh_.mu);
    sh_.job_id = job_ ? job_->id() : "";
    sh_.forget_job();
    ++sh_.asked;
    sh_.wake.notify_all();
  }

  void close_job() {
    job_.reset();
    show_job();
  }

  // The UI's pane with what the fetch thread last read for it; sh_.mu is held.
  top::JobPane job_pane() const {
    top::JobPane p = *job_;
    if (sh_.job_read == p.id()) {
      p.doc = sh_.job;
      p.gone = sh_.job_gone;
      p.error = sh_.job_error;
    }
    return p;
  }

  // The pane's wrapped text, kept while the read and the width stay the same (a job's data can be
  // megabytes: not wrapped again on every redraw or key); sh_.mu is held.
  const std::vector<std::string>& job_body(const top::JobPane& pane, int width) {
    if (body_doc_ != pane.doc || body_width_ != width) {
      body_ = top::job_body(pane, width);
      body_doc_ = pane.doc;
      body_width_ = width;
    }
    return body_;
  }

  void handle_job(int k) {
    // By d rows, or by pages of the rows the body has on screen (d = +-1 with page).
    auto scroll_by = [&](long d, bool page = false) {
      std::size_t max = 0, rows = 1;
      {
        std::lock_guard lock(sh_.mu);
        const auto pane = job_pane();
        const int w = screen_.width(), h = screen_.height();
        max = top::job_scroll_max(pane, job_body(pane, w).size(), sh_.snap, view_, w, h);
        rows = std::max<std::size_t>(1, top::job_body_rows(pane, sh_.snap, view_, w, h));
      }
      if (page) d *= static_cast<long>(rows);
      const long next = std::clamp(static_cast<long>(job_->scroll) + d, 0L, static_cast<long>(max));
      job_->scroll = static_cast<std::size_t>(next);
    };
    const std::string queue = job_->queue, reason = job_->reason;
    if (k == keys::esc || k == 'j') close_job();
    else if (k == keys::down) scroll_by(1);
    else if (k == keys::up) scroll_by(-1);
    else if (k == keys::page_down || k == ' ') scroll_by(1, true);
    else if (k == keys::page_up) scroll_by(-1, true);
    else if ((k == 'n' || k == 'p') && (k == 'n' ? job_->index > 0 : job_->index + 1 < job_->ids.size())) {
      job_->index = k == 'n' ? job_->index - 1 : job_->index + 1;
      job_->scroll = 0;
      show_job();
    } else if (k == 'r' || k == 'R' || k == 'u') {
      // The reason's actions, as in the drill-down; the job view closes on the outcome (and stays
      // when they are refused).
      if (auto why = refusal(); !why.empty()) {
        view_.message = why;
        return;
      }
      close_job();
      if (k == 'r') act([&] { return retry_reason(s_, screen_, queue, reason); });
      else if (k == 'R') act([&] { return resume_queue(s_, screen_, queue); });
      else act([&] { return unstick_queue(s_, screen_, queue); });
    }
  }

  void handle_db(int k) {
    std::vector<db::SessionRow> rows;
    {
      std::lock_guard lock(sh_.mu);
      if (sh_.pool) rows = top::db_selectable(*sh_.pool);
    }
    if (k == keys::down && reason_ + 1 < rows.size()) ++reason_;
    else if (k == keys::up && reason_ > 0) --reason_;
    else if (k == 't' && reason_ < rows.size()) {
      const auto row = rows[reason_];
      act([&] { return terminate_session(s_, screen_, row.pid, row.backend_start); });
    }
  }

  Session& s_;
  Fetcher& fetcher_;
  top::View view_;
  Shared& sh_;
  Screen& screen_;
  Tab tab_ = Tab::queues;
  Tab help_from_ = Tab::queues;  // the tab under the help screen
  std::size_t reason_ = 0;  // the cursor of the drill-down (reasons) and the db tab (sessions)
  std::optional<top::JobPane> job_;  // the job view, open over the drill-down
  std::vector<std::string> body_;    // job_body's cache
  std::shared_ptr<const nlohmann::json> body_doc_;  // what body_ was wrapped from (kept: its address stays its own)
  int body_width_ = -1;
};

}  // namespace

int run_view(Session& s, Fetcher& fetcher, top::View view) {
  InterruptGuard guard;
  Shared sh;
  std::thread worker([&] { fetch_loop(sh, fetcher, view.interval_ms); });
  {
    Screen screen(s.color());
    Ui ui(s, fetcher, view, sh, screen);
    ui.loop();
  }
  {
    std::lock_guard lock(sh.mu);
    sh.stop = true;
    sh.wake.notify_all();
  }
  // A fetch in flight ends within --timeout; the screen is already restored meanwhile.
  worker.join();
  return 0;
}

}  // namespace opsctl::cmd::top_view
