#include "db/locks.h"

#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

namespace opsctl::db {
namespace {

using Graph = std::map<std::int64_t, std::set<std::int64_t>>;  // blocker -> waiters

std::int64_t count_reachable(const Graph& g, std::int64_t from) {
  std::set<std::int64_t> seen;
  std::vector<std::int64_t> stack{from};
  while (!stack.empty()) {
    std::int64_t p = stack.back();
    stack.pop_back();
    auto it = g.find(p);
    if (it == g.end()) continue;
    for (std::int64_t w : it->second) {
      if (w != from && seen.insert(w).second) stack.push_back(w);
    }
  }
  return static_cast<std::int64_t>(seen.size());
}

LockNode expand(const Graph& g, std::int64_t pid, std::set<std::int64_t>& expanded) {
  LockNode node;
  node.pid = pid;
  node.total_waiters = count_reachable(g, pid);
  if (!expanded.insert(pid).second) {
    node.repeated = true;
    return node;
  }
  auto it = g.find(pid);
  if (it != g.end()) {
    for (std::int64_t w : it->second) node.waiters.push_back(expand(g, w, expanded));
  }
  std::stable_sort(node.waiters.begin(), node.waiters.end(),
                   [](const LockNode& a, const LockNode& b) { return a.total_waiters > b.total_waiters; });
  return node;
}

void collect(const LockNode& n, std::set<std::int64_t>& out) {
  out.insert(n.pid);
  for (const auto& w : n.waiters) collect(w, out);
}

}  // namespace

std::vector<LockNode> build_lock_forest(const std::vector<BlockEdge>& edges) {
  Graph g;
  std::set<std::int64_t> waiters;
  for (const auto& e : edges) {
    if (e.waiter == e.blocker) continue;  // parallel workers of one query may list their leader
    g[e.blocker].insert(e.waiter);
    waiters.insert(e.waiter);
  }
  std::vector<std::int64_t> roots;
  for (const auto& [blocker, _] : g) {
    if (!waiters.count(blocker)) roots.push_back(blocker);
  }
  std::vector<LockNode> forest;
  std::set<std::int64_t> expanded;
  for (std::int64_t r : roots) forest.push_back(expand(g, r, expanded));
  // What is left waits in a cycle: show it from its smallest pid.
  for (const auto& [blocker, _] : g) {
    if (expanded.count(blocker)) continue;
    forest.push_back(expand(g, blocker, expanded));
    forest.back().in_cycle = true;
  }
  std::stable_sort(forest.begin(), forest.end(), [](const LockNode& a, const LockNode& b) {
    return a.total_waiters != b.total_waiters ? a.total_waiters > b.total_waiters : a.pid < b.pid;
  });
  return forest;
}

std::vector<std::int64_t> forest_pids(const std::vector<LockNode>& forest) {
  std::set<std::int64_t> all;
  for (const auto& n : forest) collect(n, all);
  return {all.begin(), all.end()};
}

std::vector<BlockEdge> read_block_edges(pg::Connection& c) {
  pg::Result r = c.query(
      "SELECT a.pid AS waiter, b.blocker FROM pg_stat_activity a, unnest(pg_blocking_pids(a.pid)) AS b(blocker) "
      "WHERE a.wait_event_type = 'Lock' AND a.pid <> pg_backend_pid()");
  std::vector<BlockEdge> out;
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    pg::Row row(r, i);
    out.push_back({row.integer("waiter").value_or(0), row.integer("blocker").value_or(0)});
  }
  return out;
}

std::map<std::int64_t, LockInfo> read_lock_info(pg::Connection& c, const std::vector<std::int64_t>& pids) {
  std::map<std::int64_t, LockInfo> out;
  if (pids.empty()) return out;
  // Granted locks are listed only when someone waits for the same object: those are the ones
  // that explain the chain, not the hundreds a busy transaction holds.
  pg::Result r = c.query(R"(WITH w AS (SELECT * FROM pg_locks WHERE NOT granted)
SELECT l.pid, l.granted, l.mode,
  CASE WHEN l.relation IS NOT NULL THEN l.relation::regclass::text
       WHEN l.locktype = 'transactionid' THEN 'transaction ' || l.transactionid::text
       WHEN l.locktype = 'virtualxid' THEN 'virtual transaction ' || l.virtualxid
       ELSE l.locktype END AS target,
  l.locktype
FROM pg_locks l
WHERE l.pid = ANY($1::int[]) AND (NOT l.granted OR EXISTS (
  SELECT 1 FROM w WHERE w.locktype = l.locktype AND w.database IS NOT DISTINCT FROM l.database
    AND w.relation IS NOT DISTINCT FROM l.relation AND w.page IS NOT DISTINCT FROM l.page
    AND w.tuple IS NOT DISTINCT FROM l.tuple AND w.virtualxid IS NOT DISTINCT FROM l.virtualxid
    AND w.transactionid IS NOT DISTINCT FROM l.transactionid AND w.classid IS NOT DISTINCT FROM l.classid
    AND w.objid IS NOT DISTINCT FROM l.objid AND w.objsubid IS NOT DISTINCT FROM l.objsubid))
ORDER BY l.pid, l.granted, l.mode)",
                         {fmt::format("{{{}}}", fmt::join(pids, ","))});
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    pg::Row row(r, i);
    std::int64_t pid = row.integer("pid").value_or(0);
    std::string what = row.text("target");
    if (row.text("locktype") == "tuple") what = "a row of " + what;
    std::string text = fmt::format("{} on {}", row.text("mode"), what);
    LockInfo& info = out[pid];
    if (!row.boolean("granted")) info.waiting_for = text;
    else info.holds.push_back(text);
  }
  return out;
}

}  // namespace opsctl::db
