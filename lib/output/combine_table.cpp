#include "output/combine_table.h"

#include <cctype>

#include <fmt/format.h>

#include "core/status.h"
#include "output/format.h"
#include "output/table.h"
#include "util/text.h"

namespace opsctl::output {
namespace {

using nlohmann::json;

std::string str(const json& doc, const char* key, std::string fallback = "") {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : fallback;
}

Status status_of(const json& doc, const char* key = "status") {
  const std::string s = str(doc, key);
  for (Status st : {Status::ok, Status::warning, Status::critical}) {
    if (s == to_string(st)) return st;
  }
  return Status::unknown;
}

// A failed context's status: what its document says, else critical for a target that could not be
// reached and unknown for the rest (as app.cpp judges a failed run).
Status failed_status(const json& doc) {
  if (doc.contains("status") && doc["status"].is_string()) return status_of(doc);
  return Status::critical;
}

std::string error_text(const json& doc) {
  const json& e = doc["error"];
  return "error: " + (e.is_object() ? str(e, "message") : std::string("unknown"));
}

std::string status_cell(Status s, bool color) { return colorize(s, std::string(to_upper(s)), color); }

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The headers of a queue row: CONTEXT QUEUE STATUS PAUSED <states> then the given tail.
Table queue_table(const std::vector<std::string>& states, const std::vector<std::string>& tail) {
  std::vector<std::string> headers{"CONTEXT", "QUEUE", "STATUS", "PAUSED"};
  std::vector<Align> align(4, Align::left);
  for (const auto& s : states) {
    headers.push_back(upper(s));
    align.push_back(Align::right);
  }
  for (const auto& t : tail) {
    headers.push_back(t);
    align.push_back(t == "WORKERS" ? Align::right : Align::left);
  }
  return Table(headers, align);
}

// CONTEXT QUEUE STATUS PAUSED <counts> of one queue's JSON (list item or inspect document).
std::vector<std::string> queue_cells(const std::string& context, const json& q, const std::vector<std::string>& states,
                                     bool color) {
  const bool paused = q.value("paused", false);
  std::vector<std::string> row{context, str(q, "queue"), status_cell(status_of(q), color),
                               paused ? colorize(Status::warning, "yes", color) : "no"};
  const json counts = q.contains("counts") && q["counts"].is_object() ? q["counts"] : json::object();
  for (const auto& s : states) {
    auto it = counts.find(s);
    row.push_back(it == counts.end() ? "-" : it->is_number() ? std::to_string(it->get<long long>()) : "?");
  }
  return row;
}

// The failed context's row: its name, the queue when known, its status, "-" counts, the error last.
std::vector<std::string> error_row(const json& doc, std::size_t columns, bool color) {
  std::vector<std::string> row{str(doc, "context"), str(doc, "queue", "-"), status_cell(failed_status(doc), color), "-"};
  while (row.size() + 1 < columns) row.push_back("-");
  row.push_back(util::truncate_utf8(error_text(doc), 120));
  return row;
}

std::string first_finding(const json& q) {
  if (!q.contains("checks") || !q["checks"].is_array()) return "";
  for (const auto& c : q["checks"]) {
    if (str(c, "level", "ok") != "ok") return str(c, "message");
  }
  return "";
}

}  // namespace

std::string fleet_list_text(const std::vector<json>& docs, const std::vector<std::string>& states, bool color) {
  Table t = queue_table(states, {"LAYOUT", "FINDING"});
  const std::size_t columns = 4 + states.size() + 2;
  for (const auto& doc : docs) {
    const std::string context = str(doc, "context");
    if (!doc["error"].is_null()) {
      t.add_row(error_row(doc, columns, color));
      continue;
    }
    const json queues = doc.contains("queues") && doc["queues"].is_array() ? doc["queues"] : json::array();
    if (queues.empty()) {
      std::vector<std::string> row{context, "-", status_cell(Status::ok, color), "-"};
      while (row.size() + 1 < columns) row.push_back("-");
      row.push_back(fmt::format("no BullMQ queues under prefix '{}'", str(doc, "prefix")));
      t.add_row(row);
    }
    for (const auto& q : queues) {
      auto row = queue_cells(context, q, states, color);
      const bool problems = q.contains("problems") && q["problems"].is_array() && !q["problems"].empty();
      row.push_back(str(q, "layout") + (problems ? " (problems)" : ""));
      row.push_back(util::truncate_utf8(first_finding(q), 80));
      t.add_row(row);
    }
  }
  return t.render();
}

std::string fleet_inspect_text(const std::vector<json>& docs, const std::vector<std::string>& states, bool color) {
  Table t = queue_table(states, {"WORKERS", "SUMMARY"});
  const std::size_t columns = 4 + states.size() + 2;
  for (const auto& doc : docs) {
    if (!doc["error"].is_null()) {
      t.add_row(error_row(doc, columns, color));
      continue;
    }
    auto row = queue_cells(str(doc, "context"), doc, states, color);
    row.push_back(doc.contains("workers") && doc["workers"].is_number() ? std::to_string(doc["workers"].get<long long>())
                                                                          : "?");
    row.push_back(util::truncate_utf8(str(doc, "summary"), 120));
    t.add_row(row);
  }
  return t.render();
}

std::string fleet_health_text(const std::vector<json>& docs, bool color) {
  Status all = Status::ok;
  std::size_t checks = 0;
  Table t({"CONTEXT", "NAME", "KIND", "STATUS", "LATENCY", "MESSAGE"},
          {Align::left, Align::left, Align::left, Align::left, Align::right});
  for (const auto& doc : docs) {
    const std::string context = str(doc, "context");
    if (!doc["error"].is_null()) {
      Status st = failed_status(doc);
      all = worst(all, st);
      t.add_row({context, "-", "-", colorize(st, std::string(to_string(st)), color), "-",
                 util::truncate_utf8(error_text(doc), 120)});
      continue;
    }
    all = worst(all, status_of(doc));
    if (!doc.contains("checks") || !doc["checks"].is_array()) continue;
    for (const auto& c : doc["checks"]) {
      ++checks;
      Status st = status_of(c);
      const double latency = c.contains("latency_ms") && c["latency_ms"].is_number() ? c["latency_ms"].get<double>() : 0;
      t.add_row({context, str(c, "name"), str(c, "kind"), colorize(st, std::string(to_string(st)), color),
                 fmt::format("{:.0f}ms", latency), util::truncate_utf8(str(c, "message"), 120)});
    }
  }
  return fmt::format("Health: {}  {} checks in {} contexts\n\n", colorize(all, to_upper(all), color), checks, docs.size()) +
         t.render();
}

}  // namespace opsctl::output
