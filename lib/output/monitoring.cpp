#include "output/monitoring.h"

#include <cctype>
#include <cmath>
#include <system_error>

#include <fmt/format.h>

#include "core/error.h"
#include "util/files.h"

namespace opsctl::output {
namespace {

// '|' starts the perfdata and a newline ends the plugin output, so neither may appear in the text.
std::string nagios_safe(std::string_view s) {
  std::string out;
  for (char c : s) out += (c == '|') ? '/' : (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

std::string perf_item(const PerfData& p) {
  // Labels with spaces, '=' or quotes are single-quoted, a quote doubled (plugin guidelines).
  std::string label = p.label;
  if (label.find_first_of(" ='") != std::string::npos) {
    std::string quoted = "'";
    for (char c : label) quoted += (c == '\'') ? std::string("''") : std::string(1, c);
    label = quoted + "'";
  }
  std::string item = fmt::format("{}={}{}", label, perf_number(p.value), p.unit);
  if (!p.warn.empty() || !p.crit.empty()) item += fmt::format(";{};{}", p.warn, p.crit);
  return item;
}

std::string prom_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v == 0 ? 0.0 : v);
}

std::string prom_escape(std::string_view s, bool quote) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quote) out += "\\\"";
    else out += c;
  }
  return out;
}

bool is_prom_name(std::string_view name, bool allow_colon) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (allow_colon && c == ':'))) return false;
  }
  return true;
}

}  // namespace

std::string perf_label(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' || c == '/' ||
                      c == '-';
    if (keep) out += c;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.size() > 60) out.resize(60);
  return out.empty() ? "check" : out;
}

// Nagios perfdata numbers are [-0-9.] only: no exponent, and "U" when the value is unknown.
std::string perf_number(double v) {
  if (!std::isfinite(v)) return "U";
  if (v == 0) return "0";  // also turns -0 into 0
  std::string s = fmt::format("{}", v);
  if (s.find_first_of("eE") != std::string::npos) {
    s = fmt::format("{:.6f}", v);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s;
}


std::string nagios_line(std::string_view check, Status status, std::string_view summary,
                        const std::vector<PerfData>& perf) {
  std::string name = nagios_safe(check);
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string line = fmt::format("OPSCTL {} {}", name, to_upper(status));
  if (!summary.empty()) line += " - " + nagios_safe(summary);
  for (std::size_t i = 0; i < perf.size(); ++i) line += (i == 0 ? " | " : " ") + perf_item(perf[i]);
  return line + "\n";
}

std::string prom_exposition(const std::vector<PromMetric>& metrics) {
  std::string out;
  for (const auto& m : metrics) {
    // A malformed line makes node_exporter drop the whole file: refuse to write one (a bug of ours).
    if (m.name.rfind("opsctl_", 0) != 0 || !is_prom_name(m.name, true)) {
      throw unknown_error(fmt::format("internal error: invalid metric name \"{}\"", m.name));
    }
    if (m.type != "gauge" && m.type != "counter") {
      throw unknown_error(fmt::format("internal error: metric {} has type \"{}\"", m.name, m.type));
    }
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", m.name, prom_escape(m.help, false), m.name, m.type);
    for (const auto& sample : m.samples) {
      std::string labels;
      for (const auto& [key, value] : sample.labels) {
        if (!is_prom_name(key, false) || key.rfind("__", 0) == 0) {
          throw unknown_error(fmt::format("internal error: metric {} has label name \"{}\"", m.name, key));
        }
        labels += fmt::format("{}{}=\"{}\"", labels.empty() ? "" : ",", key, prom_escape(value, true));
      }
      out += labels.empty() ? m.name : fmt::format("{}{{{}}}", m.name, labels);
      out += " " + prom_number(sample.value) + "\n";
    }
  }
  return out;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
  if (auto e = util::write_file_atomic(path, content)) {
    throw critical_error(fmt::format("cannot write {}: {} ({})", path.string(),
                                     std::generic_category().message(e->err), e->step));
  }
}

}  // namespace opsctl::output
