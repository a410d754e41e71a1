#pragma once
// Machine formats for monitoring: the Nagios plugin line and Prometheus text exposition.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace opsctl::output {

struct PerfData {
  std::string label;   // quoted in the output when it contains spaces or '='
  double value = 0;
  std::string unit;    // "", "s", "ms", "%", "B", "c"
  std::string warn;    // optional thresholds, empty when none
  std::string crit;
};

// A short perfdata label that needs no quoting: characters other than letters, digits and
// _ . : / - become '_' (runs squashed, at most 60 characters). Callers keep labels unique.
std::string perf_label(std::string_view name);

// A perfdata number: [-0-9.] only (no exponent), "U" when not finite.
std::string perf_number(double v);

// "OPSCTL <CHECK> <STATUS> - <summary> | label=value[unit];warn;crit ..." plus '\n'.
// check is upper-cased; '|' and newlines in summary are replaced so the line stays parseable.
std::string nagios_line(std::string_view check, Status status, std::string_view summary,
                        const std::vector<PerfData>& perf);

struct PromSample {
  std::map<std::string, std::string> labels;  // values escaped (\\, \", \n) on output
  double value = 0;
};

struct PromMetric {
  std::string name;  // must start with opsctl_
  std::string help;
  std::string type;  // gauge | counter
  std::vector<PromSample> samples;
};

// Prometheus text exposition format 0.0.4: # HELP, # TYPE, one line per sample.
std::string prom_exposition(const std::vector<PromMetric>& metrics);

// Writes content to path atomically: temp file in the same directory, fsync, rename.
// Throws Error(critical) naming the path on failure; never leaves a partial file behind.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace opsctl::output
