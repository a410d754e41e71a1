#include "output/combine.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "core/status.h"
#include "output/monitoring.h"

namespace opsctl::output {
namespace {

int exit_rank(int code) {
  static const int order[] = {0, 1, 3, 2, 4, 64, 78};
  for (int i = 0; i < 7; ++i) {
    if (order[i] == code) return i;
  }
  return 7;
}

// One Nagios plugin line taken apart: "OPSCTL <CHECK> <STATUS> - <summary> | <perfdata>".
struct NagiosLine {
  std::string check;
  Status status = Status::unknown;
  std::string summary;
  std::vector<std::string> perf;  // items as written, labels quoted when needed
};

Status status_word(const std::string& w) {
  for (Status s : {Status::ok, Status::warning, Status::critical, Status::unknown}) {
    if (w == to_upper(s)) return s;
  }
  return Status::unknown;
}

// Perfdata items, split on spaces outside single quotes.
std::vector<std::string> perf_items(const std::string& text) {
  std::vector<std::string> items;
  std::string cur;
  bool quoted = false;
  for (char c : text) {
    if (c == '\'') quoted = !quoted;
    if (c == ' ' && !quoted) {
      if (!cur.empty()) items.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) items.push_back(cur);
  return items;
}

std::optional<NagiosLine> parse_nagios(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.rfind("OPSCTL ", 0) != 0 || text.find('\n') != std::string::npos) return std::nullopt;
  NagiosLine line;
  std::string rest = text.substr(7);
  const auto bar = rest.find(" | ");
  if (bar != std::string::npos) {
    line.perf = perf_items(rest.substr(bar + 3));
    rest.resize(bar);
  }
  const auto dash = rest.find(" - ");
  if (dash != std::string::npos) {
    line.summary = rest.substr(dash + 3);
    rest.resize(dash);
  }
  const auto space = rest.rfind(' ');
  if (space == std::string::npos) return std::nullopt;
  line.check = rest.substr(0, space);
  line.status = status_word(rest.substr(space + 1));
  return line;
}

// "context/label", quoted as the plugin guidelines ask when the label already was.
std::string prefixed_perf(const std::string& context, const std::string& item) {
  const std::string name = perf_label(context);
  if (!item.empty() && item[0] == '\'') return "'" + name + "/" + item.substr(1);
  return name + "/" + item;
}

std::string prom_label_value(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"') out += "\\\"";
    else out += c;
  }
  return out;
}

// A sample line with context="NAME" first among its labels.
std::string with_context(const std::string& sample, const std::string& context) {
  const std::string label = fmt::format("context=\"{}\"", prom_label_value(context));
  const auto brace = sample.find('{');
  const auto space = sample.find(' ');
  if (brace != std::string::npos && (space == std::string::npos || brace < space)) {
    const bool empty = brace + 1 < sample.size() && sample[brace + 1] == '}';
    return sample.substr(0, brace + 1) + label + (empty ? "" : ",") + sample.substr(brace + 1);
  }
  if (space == std::string::npos) return sample;
  return sample.substr(0, space) + "{" + label + "}" + sample.substr(space);
}

}  // namespace

int worse_exit_code(int a, int b) { return exit_rank(a) >= exit_rank(b) ? a : b; }

int worst_exit_code(const std::vector<ContextRun>& runs) {
  int code = 0;
  for (const auto& r : runs) code = worse_exit_code(code, r.exit_code);
  return code;
}

nlohmann::json context_document(const ContextRun& run) {
  nlohmann::json doc = nlohmann::json::parse(run.out, nullptr, false);
  if (!doc.is_object()) {
    std::string message = run.err;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    if (message.rfind("opsctl: ", 0) == 0) message = message.substr(8);
    if (message.empty()) message = fmt::format("the run left no JSON document (exit {})", run.exit_code);
    doc = {{"status", "unknown"}, {"error", {{"kind", "internal"}, {"message", message}}}};
  }
  nlohmann::json out{{"context", run.context}};
  for (auto& [k, v] : doc.items()) out[k] = v;
  if (!out.contains("error")) out["error"] = nullptr;
  return out;
}

nlohmann::json combine_json(const std::vector<ContextRun>& runs) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : runs) arr.push_back(context_document(r));
  return arr;
}

std::string combine_nagios(const std::vector<ContextRun>& runs) {
  std::string check = "OPSCTL";
  Status status = Status::ok;
  std::vector<std::string> bad;
  std::vector<std::string> perf;
  for (const auto& r : runs) {
    auto line = parse_nagios(r.out);
    if (!line) {
      line = NagiosLine{"", Status::unknown, "no Nagios line from this context", {}};
    } else if (check == "OPSCTL") {
      check = line->check;
    }
    status = worst(status, line->status);
    if (line->status != Status::ok) bad.push_back(fmt::format("{} {}: {}", r.context, to_upper(line->status), line->summary));
    for (const auto& item : line->perf) perf.push_back(prefixed_perf(r.context, item));
  }
  std::string summary = bad.empty() ? fmt::format("{} contexts, all ok", runs.size())
                                    : fmt::format("{} of {} contexts not ok: {}", bad.size(), runs.size(), fmt::join(bad, "; "));
  std::string line = nagios_line(check, status, summary, {});
  line.pop_back();
  if (!perf.empty()) line += " | " + fmt::format("{}", fmt::join(perf, " "));
  return line + "\n";
}

std::string combine_prom(const std::vector<ContextRun>& runs) {
  struct Family {
    std::vector<std::string> head;  // its # HELP and # TYPE lines, from the first context that had it
    std::vector<std::string> samples;
    std::size_t owner = 0;  // 1 + the index of the context whose HELP/TYPE lines it keeps
  };
  std::vector<std::string> order;
  std::map<std::string, Family> families;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const ContextRun& r = runs[i];
    std::string current;
    std::size_t pos = 0;
    while (pos < r.out.size()) {
      auto nl = r.out.find('\n', pos);
      std::string line = r.out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      pos = nl == std::string::npos ? r.out.size() : nl + 1;
      if (line.empty()) continue;
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
        std::string name = line.substr(7, line.find(' ', 7) - 7);
        if (!families.count(name)) order.push_back(name);
        Family& f = families[name];
        if (f.owner == 0) f.owner = i + 1;
        if (f.owner == i + 1) f.head.push_back(line);
        current = name;
        continue;
      }
      if (line[0] == '#') continue;
      std::string name = line.substr(0, line.find_first_of("{ "));
      if (current.empty() || name.rfind(current, 0) != 0) {
        current = name;
        if (!families.count(name)) order.push_back(name);
      }
      families[current].samples.push_back(with_context(line, r.context));
    }
  }
  std::string out;
  for (const auto& name : order) {
    for (const auto& h : families[name].head) out += h + "\n";
    for (const auto& s : families[name].samples) out += s + "\n";
  }
  return out;
}

std::string context_stderr(const ContextRun& run) {
  std::string out;
  std::size_t pos = 0;
  while (pos < run.err.size()) {
    auto nl = run.err.find('\n', pos);
    std::string line = run.err.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? run.err.size() : nl + 1;
    if (line.rfind("opsctl: ", 0) == 0) line = fmt::format("opsctl: context {}: {}", run.context, line.substr(8));
    out += line + "\n";
  }
  return out;
}

}  // namespace opsctl::output
