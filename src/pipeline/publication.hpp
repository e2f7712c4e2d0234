#pragma once
// Publication (outputs.md: "published atomically"): the period's lock, the staging folder a run
// writes into, and moving its staged files into place with stop signals held back meanwhile.
#include <memory>
#include <string>
#include <vector>

#include "export/delivery.hpp"
#include "ingest/feed_files.hpp"
#include "mpi/comm.hpp"

namespace ba {

// Holds the period's lock for the whole run: a second run of the same period refuses.
class PeriodLock {
 public:
  explicit PeriodLock(const std::string& path);
  ~PeriodLock();
  PeriodLock(const PeriodLock&) = delete;
  PeriodLock& operator=(const PeriodLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

// Creates the staging folder and takes the period's lock (rank 0); every rank gets the path.
std::string open_staging(const mpi::Comm& comm, const std::string& out, const std::string& run_name,
                         std::unique_ptr<PeriodLock>& lock);

// From publication on, SIGTERM, SIGINT and SIGUSR1 only note themselves, to the end of the
// process: a scheduler stopping the job during publication gets it after the last rename, never
// between two of them, and the job ends with its own exit code (0 when everything was published,
// which is what slurm/README.md promises a job signalled while publishing). Blocking them would
// not do: the threads MPI started before keep them unblocked, and the kernel hands a signal sent
// to the process to any such thread, where its default action ends the process. A handler
// belongs to the whole process: it only notes the signal. It stays after publication: one stop
// reaches a rank more than once (at a Slurm time limit, slurmstepd's SIGTERM and the one srun
// forwards), and a second one between the last rename and the exit used to end a rank that had
// published everything with 143. What is left to do then (the paths printed, MPI finalized) takes
// moments; a rank stuck there is still ended by the SIGKILL that follows.
class HoldStopSignalsToExit {
 public:
  HoldStopSignalsToExit();
  // Says whether one came while publishing; the handlers stay.
  ~HoldStopSignalsToExit();
  HoldStopSignalsToExit(const HoldStopSignalsToExit&) = delete;
  HoldStopSignalsToExit& operator=(const HoldStopSignalsToExit&) = delete;
};

// Moves the staged files into place. Data files first, manifests last: a reader that trusts the
// manifest never sees files it does not describe. Then what this run no longer delivers goes.
void publish_deliveries(const mpi::Comm& comm, const std::string& out, const Period& period,
                        const std::vector<StagedFile>& written);

}  // namespace ba
