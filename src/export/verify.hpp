#pragma once
// Re-checks a delivery tree against its manifests: each manifest against its folder and file
// name (seller, cadence, period, the four tables at their delivery paths, job version,
// confidentiality notice), then every file's size, SHA-256, row count and per-currency control
// totals. What an operator runs to answer "is this what we sent?".
#include <optional>
#include <string>
#include <vector>

#include "ingest/feed_files.hpp"

namespace ba {

struct VerifyReport {
  int manifests = 0;
  int files = 0;
  std::vector<std::string> problems;  // empty: everything matches
};

// Checks every manifest of `period` (none: every manifest) under out/deliveries/<seller>/manifests/,
// and reports every data file (of the period, or of any) that no manifest lists.
VerifyReport verify_deliveries(const std::string& out, const std::optional<Period>& period);

}  // namespace ba
