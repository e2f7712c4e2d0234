#include "common/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/error.hpp"

namespace ba {

namespace {
[[noreturn]] void io_fail(const std::string& what, const std::string& path, int err) {
  fail(ExitCode::io_failure, what + " " + path + ": " + std::strerror(err));
}

// Opens `path` (a folder when `flags` says so), applies `sync` to the descriptor and fails with
// `what` unless it succeeded or failed with an errno in `tolerated` (0: none).
template <class Sync>
void sync_opened(const std::string& path, int flags, Sync sync, const char* what, int tolerated = 0) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
  if (fd < 0) io_fail((flags & O_DIRECTORY) ? "cannot open folder" : "cannot open", path, errno);
  const int rc = sync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && (tolerated == 0 || err != tolerated)) io_fail(what, path, err);
}
}  // namespace

InputFile::InputFile(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) io_fail("cannot open", path, errno);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t InputFile::read_at(std::int64_t offset, char* buffer, std::size_t size) const {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd_, buffer + done, size - done, static_cast<off_t>(offset) + static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      io_fail("cannot read", path_, errno);
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

std::int64_t InputFile::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) io_fail("cannot stat", path_, errno);
  return static_cast<std::int64_t>(st.st_size);
}

void write_file(const std::string& path, std::string_view content, unsigned mode, Durability durability) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) io_fail("cannot create", path, errno);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      io_fail("cannot write", path, err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) {
    const int err = errno;
    ::close(fd);
    io_fail("cannot set the mode of", path, err);
  }
  if (durability == Durability::now && ::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    io_fail("cannot sync", path, err);
  }
  // `later`: only a hint to start writing now (sync_file makes it durable), so no error here.
  if (durability == Durability::later) (void)::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  if (::close(fd) != 0) io_fail("cannot close", path, errno);
}

void start_writeback(const std::string& path) {
  // Only a hint: a file system without it still gets its data synced by sync_file.
  sync_opened(
      path, 0,
      [](int fd) {
        (void)::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        return 0;
      },
      "cannot start writing back");
}

void sync_file(const std::string& path) { sync_opened(path, 0, ::fsync, "cannot sync"); }

std::string read_file(const std::string& path) {
  InputFile in(path);
  std::string content(static_cast<std::size_t>(in.size()), '\0');
  content.resize(in.read_at(0, content.data(), content.size()));
  return content;
}

void make_dirs(const std::string& path, unsigned mode) {
  std::error_code ec;
  std::filesystem::path p(path);
  std::filesystem::path partial;
  for (const auto& part : p) {
    partial /= part;
    if (partial.empty() || std::filesystem::exists(partial, ec)) continue;
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) io_fail("cannot create folder", partial.string(), errno);
    ::chmod(partial.c_str(), mode);  // umask must not widen or narrow what the contract says
  }
}


// Some file systems cannot fsync a folder (EINVAL): their renames are as durable as they get.
void fsync_dir(const std::string& path) { sync_opened(path, O_DIRECTORY, ::fsync, "cannot sync folder", EINVAL); }

void sync_file_system(const std::string& path) {
  sync_opened(path, O_DIRECTORY, ::syncfs, "cannot sync the file system of");
}

void rename_path(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) io_fail("cannot rename " + from + " to", to, errno);
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) fail(ExitCode::io_failure, "cannot remove " + path + ": " + ec.message());
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::int64_t file_size(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) io_fail("cannot stat", path, errno);
  return static_cast<std::int64_t>(st.st_size);
}

}  // namespace ba
