#pragma once
// Every Prometheus family opsctl writes, with its one HELP text and TYPE, and a builder that adds
// the run's identity labels to every sample. One definition per name is what lets the files of
// every command share one textfile directory: node_exporter merges a family across files only when
// HELP and TYPE agree, and drops a series that two files both carry (opsctl(1), PROMETHEUS METRICS).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "output/monitoring.h"

namespace opsctl::output {

struct PromFamily {
  std::string_view name;
  std::string_view type;  // gauge | counter
  std::string_view help;
};

// All families, in the order of the man page.
const std::vector<PromFamily>& prom_catalog();

using PromLabels = std::map<std::string, std::string>;

// Samples grouped into their families, each family once, in the order they were first added.
class PromSet {
 public:
  // base: labels every sample gets (a sample's own labels win on a clash).
  explicit PromSet(PromLabels base = {}) : base_(std::move(base)) {}
  // Throws Error(unknown) for a name the catalog does not have (a bug of ours).
  void add(std::string_view family, const PromLabels& labels, double value);
  void add(std::string_view family, double value) { add(family, {}, value); }
  std::string exposition() const;

 private:
  PromLabels base_;
  std::vector<PromMetric> metrics_;
};

}  // namespace opsctl::output
