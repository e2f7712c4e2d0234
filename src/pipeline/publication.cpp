#include "pipeline/publication.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>

#include "common/error.hpp"
#include "common/file.hpp"
#include "pipeline/on_root.hpp"

namespace ba {

namespace fs = std::filesystem;

PeriodLock::PeriodLock(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) fail(ExitCode::io_failure, "cannot create lock file " + path);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    fail(ExitCode::concurrent_run, "another run of this period is in progress (lock " + path +
                                       " is held); it must finish before this one can start");
  }
}

PeriodLock::~PeriodLock() {
  if (fd_ >= 0) ::close(fd_);
}

std::string open_staging(const mpi::Comm& comm, const std::string& out, const std::string& run_name,
                         std::unique_ptr<PeriodLock>& lock) {
  const auto bytes = on_root(comm, [&] {
    make_dirs(out + "/runs");
    lock = std::make_unique<PeriodLock>(out + "/runs/." + run_name + ".lock");
    const std::string staging = out + "/.staging/" + run_name;
    if (path_exists(staging)) remove_tree(staging);  // left by a run that died: we hold the lock
    make_dirs(staging + "/deliveries");
    make_dirs(staging + "/store");
    make_dirs(staging + "/run");
    return std::vector<char>(staging.begin(), staging.end());
  });
  return std::string(bytes.begin(), bytes.end());
}

namespace {

volatile std::sig_atomic_t g_deferred_signal = 0;

extern "C" void note_stop_signal(int signal) { g_deferred_signal = signal; }

}  // namespace

HoldStopSignalsToExit::HoldStopSignalsToExit() {
  g_deferred_signal = 0;
  struct sigaction note {};
  note.sa_handler = note_stop_signal;
  sigemptyset(&note.sa_mask);
  note.sa_flags = SA_RESTART;
  for (const int signal : {SIGTERM, SIGINT, SIGUSR1}) ::sigaction(signal, &note, nullptr);
}

HoldStopSignalsToExit::~HoldStopSignalsToExit() {
  if (const int signal = g_deferred_signal; signal != 0)
    std::fprintf(stderr, "[buyer-attribution] SIG%s arrived while publishing: publication was finished first\n",
                 sigabbrev_np(signal));
}

namespace {

// Removes (rank 0) what an earlier run of the period published and this one did not: the files
// of a seller no longer enrolled, or of tables withheld this time (representative tables of a
// seller whose rules now fail). The period's delivery is then this run's, whole.
void remove_stale_period_files(const mpi::Comm& comm, const std::string& deliveries, const Period& period,
                               const std::vector<StagedFile>& written) {
  std::vector<char> mine;
  for (const auto& file : written) {
    mine.insert(mine.end(), file.relative.begin(), file.relative.end());
    mine.push_back('\n');
  }
  const auto everyone = comm.gather(mine);  // about 60 bytes a file
  on_root(comm, [&] {
    std::set<std::string, std::less<>> published;
    for (const auto& part : everyone)
      for (std::string_view rest(part.data(), part.size()); !rest.empty();) {
        const std::size_t end = rest.find('\n');  // every path ends with one
        published.emplace(rest.substr(0, end));
        rest.remove_prefix(end + 1);
      }
    const auto stale = stale_period_files(deliveries, period, published);
    // Files only: the folders they leave empty may be another period's, whose run (not locked
    // against this one) may be about to rename into them.
    for (const auto& relative : stale) remove_file(deliveries + "/" + relative);
    if (!stale.empty()) sync_file_system(deliveries);
    return std::vector<char>{};
  });
}

}  // namespace

void publish_deliveries(const mpi::Comm& comm, const std::string& out, const Period& period,
                        const std::vector<StagedFile>& written) {
  const std::string deliveries = out + "/deliveries";
  // Every rank makes all its folders first and looks at its targets, and the ranks agree before
  // anyone renames: a folder that cannot be made (a full disk, a file in its place) or a folder
  // where a file goes fails the run with nothing published.
  std::set<std::string> folders;
  for (const auto& file : written) folders.insert(fs::path(deliveries + "/" + file.relative).parent_path().string());
  std::int32_t code = 0;
  std::string message;
  try {
    for (const auto& folder : folders) make_dirs(folder);
    // A folder on another file system than the staging folder (a symlink to another disk), or
    // one that cannot be written, would fail a rename after other ranks' files have moved in.
    if (!written.empty()) {
      const RenameSource staged(fs::path(written.front().staged).parent_path().string());
      for (const auto& folder : folders) staged.check_target(folder);
    }
    for (const auto& file : written) {
      std::error_code ec;
      if (const std::string target = deliveries + "/" + file.relative; fs::is_directory(target, ec))
        fail(ExitCode::io_failure, "cannot publish " + target + ": a folder is in its place; nothing was published");
    }
  } catch (const Failure& f) {
    code = static_cast<std::int32_t>(f.code());
    message = f.what();
  }
  if (const auto worst = comm.max(code); worst != 0) {
    // Rank 0 reports a collective failure: it needs the message of a rank that failed.
    std::string first;
    for (const auto& part : comm.gather(std::vector<char>(message.begin(), message.end())))
      if (first.empty()) first.assign(part.begin(), part.end());
    throw Failure(static_cast<ExitCode>(worst), first.empty() ? "publication failed on another rank" : first,
                  /*collective=*/true);
  }
  for (int manifests = 0; manifests < 2; ++manifests) {
    for (const auto& file : written) {
      const bool is_manifest = file.relative.find("/manifests/") != std::string::npos;
      if (is_manifest == (manifests == 1)) rename_path(file.staged, deliveries + "/" + file.relative);
    }
    // The renames and new folders are durable before the manifests move (the data was synced
    // at export): one syncfs, not an fsync per folder and parent.
    if (!written.empty()) sync_file_system(deliveries);
    comm.barrier();
  }
  remove_stale_period_files(comm, deliveries, period, written);
}

}  // namespace ba
