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
  // Set (no manifest, no problem) when the period's run record says the run succeeded without
  // delivering to any seller: why there was nothing to check.
  std::string nothing_to_check;
};

// Checks every manifest of `period` (none: every manifest) under out/deliveries/<seller>/manifests/,
// and reports every data file (of the period, or of any) that no manifest lists. A period without
// a manifest, or without the deliveries folder, is nothing to check when its run record
// (out/runs/<cadence>-<period>/report.json) says the run succeeded with no seller delivered; a
// problem (no folder: a bad_arguments failure) otherwise.
VerifyReport verify_deliveries(const std::string& out, const std::optional<Period>& period);

}  // namespace ba
