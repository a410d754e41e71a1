// opsctl db locks: blocking chains as a tree, root blockers first, with lock modes, relations, ages.
#include <fmt/format.h>

#include "cmd/db/render.h"
#include "cmd/registry.h"
#include "core/error.h"
#include "db/locks.h"
#include "db/sessions.h"
#include "output/format.h"

namespace opsctl::cmd {
namespace {

struct Facts {
  std::map<std::int64_t, db::SessionRow> sessions;
  std::map<std::int64_t, db::LockInfo> locks;
};

nlohmann::json node_json(const db::LockNode& n, const Facts& f) {
  auto s = f.sessions.find(n.pid);
  nlohmann::json j = s != f.sessions.end() ? db::to_json(s->second) : nlohmann::json{{"pid", n.pid}, {"backend_start", nullptr}};
  auto l = f.locks.find(n.pid);
  j["prepared_transaction"] = n.pid == 0;
  j["waiting_for"] = l != f.locks.end() && !l->second.waiting_for.empty() ? nlohmann::json(l->second.waiting_for) : nlohmann::json(nullptr);
  j["holds"] = l != f.locks.end() ? l->second.holds : std::vector<std::string>{};
  j["total_waiters"] = n.total_waiters;
  j["repeated"] = n.repeated;
  j["in_cycle"] = n.in_cycle;
  nlohmann::json waiters = nlohmann::json::array();
  for (const auto& w : n.waiters) waiters.push_back(node_json(w, f));
  j["waiters"] = waiters;
  return j;
}

std::string node_line(const db::LockNode& n, const Facts& f) {
  if (n.pid == 0) return "prepared transaction (see pg_prepared_xacts)";
  std::string out = fmt::format("pid {}", n.pid);
  auto s = f.sessions.find(n.pid);
  if (s != f.sessions.end()) {
    const auto& r = s->second;
    out += fmt::format("  {} {}  user={} app={}", r.state.empty() ? "?" : r.state, db::age_text(r.age_s),
                       one_line(r.user, 20), one_line(r.app.empty() ? "-" : r.app, 24));
  }
  auto l = f.locks.find(n.pid);
  if (l != f.locks.end() && !l->second.waiting_for.empty()) out += "  waits for " + l->second.waiting_for;
  if (l != f.locks.end() && !l->second.holds.empty() && !n.repeated) out += fmt::format("  holds {}", fmt::join(l->second.holds, ", "));
  if (n.total_waiters > 0) out += fmt::format("  blocks {}", n.total_waiters);
  if (n.repeated) out += "  (shown above)";
  if (n.in_cycle) out += "  (wait cycle: the deadlock detector will end one)";
  return out;
}

void render_node(std::string& out, const db::LockNode& n, const Facts& f, const std::string& prefix, bool last, bool root) {
  out += root ? "" : prefix + (last ? "`- " : "|- ");
  out += node_line(n, f) + "\n";
  const std::string child_prefix = root ? "" : prefix + (last ? "   " : "|  ");
  auto s = f.sessions.find(n.pid);
  if (s != f.sessions.end() && !n.repeated && !s->second.query.empty()) {
    out += child_prefix + (n.waiters.empty() ? "   " : "|  ") + "  " + one_line(s->second.query, 100) + "\n";
  }
  for (std::size_t i = 0; i < n.waiters.size(); ++i) {
    render_node(out, n.waiters[i], f, child_prefix, i + 1 == n.waiters.size(), false);
  }
}

int run_locks(Session& s) {
  if (s.format() == output::Format::nagios || s.format() == output::Format::prom) {
    throw usage_error("db locks supports -o text and -o json (db pool is the check)");
  }
  pg::Connection& c = s.pg();
  Facts facts;
  std::vector<db::LockNode> forest;
  {
    pg::Transaction tx(c, "BEGIN READ ONLY");
    forest = db::build_lock_forest(db::read_block_edges(c));
    std::vector<std::int64_t> pids = db::forest_pids(forest);
    for (auto& r : db::all_sessions(c)) facts.sessions.emplace(r.pid, std::move(r));
    facts.locks = db::read_lock_info(c, pids);
    tx.commit();
  }
  std::int64_t blocked = 0;
  for (const auto& n : forest) blocked += n.total_waiters;
  if (s.format() == output::Format::json) {
    nlohmann::json roots = nlohmann::json::array();
    for (const auto& n : forest) roots.push_back(node_json(n, facts));
    s.emit(output::json_document({{"target", c.target()}, {"root_blockers", forest.size()}, {"blocked", blocked}, {"roots", roots}}));
    return 0;
  }
  if (forest.empty()) {
    s.emit(fmt::format("No session waits for a lock in {}.\n", c.target()));
    return 0;
  }
  std::string out = fmt::format("{} root blockers hold {} waiting sessions in {}:\n", forest.size(), blocked, c.target());
  for (const auto& n : forest) {
    out += "\n";
    render_node(out, n, facts, "", true, true);
  }
  s.emit(out);
  return 0;
}

}  // namespace

void add_db_locks(CLI::App& noun, Registry& reg) {
  CLI::App* cmd = noun.add_subcommand("locks", "blocking chains as a tree, root blockers first");
  reg.add(cmd, [](Session& s) { return run_locks(s); });
}

}  // namespace opsctl::cmd
