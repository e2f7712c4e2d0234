#pragma once
// Re-checks a delivery tree against its manifests: each manifest against its folder and file
// name (seller, cadence, period, the four tables at their delivery paths, job version,
// confidentiality notice), then every file's size, SHA-256, row count and per-currency control
// totals. What an operator runs to answer "is this what we sent?".
#include <string>
#include <vector>

namespace ba {

struct VerifyReport {
  int manifests = 0;
  int files = 0;
  std::vector<std::string> problems;  // empty: everything matches
};

// Checks every manifest named `<manifest_name>` (e.g. "monthly-2026-10.json"; empty: every
// manifest) under deliveries_root/<seller>/manifests/.
VerifyReport verify_deliveries(const std::string& deliveries_root, const std::string& manifest_name);

}  // namespace ba
