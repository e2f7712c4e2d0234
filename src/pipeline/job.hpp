#pragma once
// The whole run, as every rank executes it: plan, read, shuffle, aggregate, store, export,
// publish. Phases are plain functions over this rank's data plus the collectives of mpi/.
#include <cstdint>
#include <memory>
#include <string>

#include "mpi/comm.hpp"

namespace ba {

struct JobOptions {
  std::string feeds;                 // FEEDS_ROOT
  std::string out;                   // output root
  std::string cadence = "monthly";   // monthly | daily
  std::string period;                // YYYY-MM | YYYY-MM-DD
  std::int64_t chunk_bytes = 8 << 20;     // read granularity per rank
  std::int64_t round_bytes = 64 << 20;    // largest per-pair message of one shuffle round
  double max_reject_fraction = 0.01;      // above it the run fails and publishes nothing
  bool progress = true;                   // rank 0 prints phases
  bool allow_open_period = false;         // run a period that has not ended yet (a preview)
  // Tests only: "PHASE" or "PHASE@RANK" makes that rank (every rank without @) fail when the
  // phase starts. Phases: plan, read, fold, aggregate, by-seller, store, export, record, publish.
  // "lose-row" drops one delivered row instead, for the test of the balance check;
  // "stall:PHASE@RANK" makes that rank sleep when the phase starts (to be killed from outside);
  // "stall:publishing@RANK" once its stop signals are held back, before the first rename;
  // "stall:exit@RANK" after a successful run, before the process ends.
  std::string inject_failure;
};

struct JobResult {
  std::string store_path;
  std::string deliveries_root;
  std::string report_path;
  std::int64_t sellers_delivered = 0;
  // The job's tables, still in memory: millions of allocations, which take most of a second to
  // free one by one. A caller about to exit may end the process instead (see main).
  std::shared_ptr<const void> tables;
};

// A fraction as an operator writes it (0.01, 2), not as std::to_string does (0.010000): for
// messages about --max-reject-fraction.
std::string fraction_text(double fraction);

// Collective. Throws ba::Failure on any error (the caller ends all ranks with its code).
JobResult run_job(const mpi::Comm& comm, const JobOptions& options);

// Tests only: sleeps up to two minutes (a handled signal ends it) when `inject` is
// "stall:WHAT@RANK" for this `what` and `rank`, saying so with the pid.
void stall_if_injected(const std::string& inject, const std::string& what, int rank);

// Collective. Writes the deliveries of a store again (without reading the feeds) and publishes
// them under options.out: byte-identical to the run that wrote the store.
JobResult run_reexport(const mpi::Comm& comm, const JobOptions& options, const std::string& store_path);

}  // namespace ba
