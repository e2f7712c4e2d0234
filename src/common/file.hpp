#pragma once
// RAII file descriptors with checked calls; every error names the path and the reason.
#include <sys/types.h>

#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ba {

class InputFile {
 public:
  explicit InputFile(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Reads up to size bytes at offset; returns the count (short only at end of file).
  std::size_t read_at(std::int64_t offset, char* buffer, std::size_t size) const;
  std::int64_t size() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// When a written file reaches the disk: before write_file returns, or later, by sync_file. Many
// files written with `later` and synced at the end reach the disk as fast as the disk allows;
// syncing each before writing the next waits for the disk once per file.
enum class Durability : std::uint8_t { now, later };

// Writes a whole file (created with the given mode). `now`: fsyncs it; `later`: starts its
// writeback and returns (sync_file waits for it).
void write_file(const std::string& path, std::string_view content, unsigned mode = 0640,
                Durability durability = Durability::now);
// Writes a byte range of a file front to back: the whole 4 KiB pages with O_DIRECT, from an
// aligned bounce buffer, and the partial pages at either end through the page cache (which
// merges them with whatever else shares those pages, such as another rank's range).
// Why: on the VMs this job runs on, copying into fresh page-cache pages runs at about 0.4 GB/s,
// while the disk takes direct writes at about 2 GB/s (docs/benchmarks.md). A full bounce buffer
// is written by a background thread while the caller fills the other one: the rank computes
// while the device writes, instead of waiting for it. The data is on the device when finish()
// returns; sync_file still makes the file's size and blocks durable.
class DirectWriter {
 public:
  // Writes `path` (created with `mode` and truncated when `create`) from byte `offset` on.
  // Returns null when the file system refuses O_DIRECT: the caller writes another way.
  static std::unique_ptr<DirectWriter> open(const std::string& path, std::int64_t offset, bool create,
                                            unsigned mode = 0640);
  ~DirectWriter();
  DirectWriter(const DirectWriter&) = delete;
  DirectWriter& operator=(const DirectWriter&) = delete;

  void append(std::string_view bytes);
  // Room for `size` bytes (at most kMaxRoom) after what is pending, for the caller to fill and
  // then commit: bytes made in place (the store's packed records) are not copied once more.
  static constexpr std::size_t kMaxRoom = (std::size_t{4} << 20) - 4096;  // a bounce buffer less a page
  char* room(std::size_t size);
  void commit(std::size_t size);
  // Writes what is pending and closes; nothing pending is written without it.
  void finish();

 private:
  using Bounce = std::unique_ptr<char, void (*)(void*)>;
  DirectWriter(std::string path, int buffered_fd, int direct_fd, std::int64_t offset);
  void write_pending(bool last);
  // Waits for the background write, if any, and fails with its error.
  void wait_for_background();

  std::string path_;
  int buffered_fd_ = -1, direct_fd_ = -1;
  std::int64_t next_ = 0;     // file offset of pending_'s first byte
  std::size_t pending_ = 0;   // bytes waiting in the bounce buffer
  Bounce bounce_;             // being filled
  Bounce writing_;            // being written in the background (null until the first time)
  std::future<int> background_;  // the errno of that write, 0 when it succeeded
};
// Whether DirectWriter may use O_DIRECT at all (on by default; the job's --direct-io). Off, open()
// returns null: every file goes through the page cache, and the store's rows through HDF5's
// collective writes. For file systems where direct I/O is slow or behaves differently.
void allow_direct_io(bool allowed);

// Files of at least this size are written by write_file through a DirectWriter; smaller ones are
// not worth a synchronous device write each.
inline constexpr std::size_t kDirectWriteMinBytes = 256 * 1024;

// Starts writing a file's dirty pages back without waiting; sync_file waits.
void start_writeback(const std::string& path);
void sync_file(const std::string& path);
std::string read_file(const std::string& path);
void make_dirs(const std::string& path, unsigned mode = 0750);
void fsync_dir(const std::string& path);
// Flushes everything pending on the file system that holds `path` (Linux syncfs): after many
// renames and new folders, one call instead of one fsync per folder and its parents.
void sync_file_system(const std::string& path);
void rename_path(const std::string& from, const std::string& to);
// Fails (io_failure, naming `to`) unless files staged in the folder `from` can be renamed into
// the folder `to`: both on one file system and mount (a rename cannot cross them) and `to`
// writable. Asked before the first rename, so that a run which could not move everything in
// publishes nothing.
void check_rename_target(const std::string& from, const std::string& to);
// The same for many targets of one staging folder, which is looked at once (thousands of
// delivery folders per rank).
class RenameSource {
 public:
  explicit RenameSource(std::string folder);
  void check_target(const std::string& to) const;

 private:
  std::string folder_;
  dev_t device_ = 0;
  std::optional<std::uint64_t> mount_;
};
void remove_tree(const std::string& path);
// Removes a file; one already gone is no error.
void remove_file(const std::string& path);
bool path_exists(const std::string& path);
// Bytes an unprivileged writer may still use on the file system of `folder` ("" is the working
// folder), or -1 when the system cannot tell.
std::int64_t free_bytes(const std::string& folder);
std::int64_t file_size(const std::string& path);

}  // namespace ba
