#pragma once
// RAII file descriptors with checked calls; every error names the path and the reason.
#include <cstdint>
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
void remove_tree(const std::string& path);
bool path_exists(const std::string& path);
std::int64_t file_size(const std::string& path);

}  // namespace ba
