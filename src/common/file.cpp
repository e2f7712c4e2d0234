#include "common/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <new>
#include <optional>
#include <utility>

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

namespace {
constexpr std::size_t kPage = 4096;                   // O_DIRECT alignment of offsets, sizes, buffers
constexpr std::size_t kBounceBytes = std::size_t{4} << 20;
static_assert(DirectWriter::kMaxRoom == kBounceBytes - kPage);
bool g_direct_io_allowed = true;  // allow_direct_io

// A writer's two bounce buffers are kept for the next writer: a fresh 4 MiB costs a thousand
// page faults, which on these VMs is about as long as writing it.
thread_local std::array<char*, 2> t_spare_bounces{};

char* take_bounce() {
  for (char*& spare : t_spare_bounces)
    if (spare) return std::exchange(spare, nullptr);
  void* memory = std::aligned_alloc(kPage, kBounceBytes);
  if (memory == nullptr) throw std::bad_alloc();
  return static_cast<char*>(memory);
}

void give_back_bounce(void* memory) {
  if (memory == nullptr) return;
  for (char*& spare : t_spare_bounces)
    if (!spare) {
      spare = static_cast<char*>(memory);
      return;
    }
  std::free(memory);
}

// pwrite of all `size` bytes; returns 0 or the errno of the failed call.
int write_all_at(int fd, const char* data, std::size_t size, std::int64_t offset) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(offset) + static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<std::size_t>(n);
  }
  return 0;
}
}  // namespace

void allow_direct_io(bool allowed) { g_direct_io_allowed = allowed; }

std::unique_ptr<DirectWriter> DirectWriter::open(const std::string& path, std::int64_t offset, bool create,
                                                 unsigned mode) {
  if (!g_direct_io_allowed) return nullptr;
  const int flags = O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0);
  const int buffered_fd = ::open(path.c_str(), flags, mode);
  if (buffered_fd < 0) io_fail(create ? "cannot create" : "cannot open", path, errno);
  if (create && ::fchmod(buffered_fd, mode) != 0) {
    const int err = errno;
    ::close(buffered_fd);
    io_fail("cannot set the mode of", path, err);
  }
  const int direct_fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_DIRECT);
  if (direct_fd < 0) {
    const int err = errno;
    ::close(buffered_fd);
    if (err == EINVAL) return nullptr;  // this file system has no O_DIRECT
    io_fail("cannot open", path, err);
  }
  return std::unique_ptr<DirectWriter>(new DirectWriter(path, buffered_fd, direct_fd, offset));
}

DirectWriter::DirectWriter(std::string path, int buffered_fd, int direct_fd, std::int64_t offset)
    : path_(std::move(path)),
      buffered_fd_(buffered_fd),
      direct_fd_(direct_fd),
      next_(offset),
      bounce_(take_bounce(), give_back_bounce),
      writing_(nullptr, give_back_bounce) {}

DirectWriter::~DirectWriter() {
  if (background_.valid()) background_.wait();  // it reads writing_ and writes to the descriptors
  if (buffered_fd_ >= 0) ::close(buffered_fd_);
  if (direct_fd_ >= 0) ::close(direct_fd_);
}

void DirectWriter::wait_for_background() {
  if (!background_.valid()) return;
  if (const int err = background_.get()) io_fail("cannot write", path_, err);
}

void DirectWriter::append(std::string_view bytes) {
  while (!bytes.empty()) {
    const std::size_t take = std::min(bytes.size(), kMaxRoom);
    std::memcpy(room(take), bytes.data(), take);
    commit(take);
    bytes.remove_prefix(take);
  }
}

char* DirectWriter::room(std::size_t size) {
  ensure(size <= kMaxRoom, "DirectWriter room within a bounce buffer");
  if (pending_ + size > kBounceBytes) write_pending(false);  // leaves less than a page pending
  return bounce_.get() + pending_;
}

void DirectWriter::commit(std::size_t size) {
  const auto into_page = static_cast<std::size_t>(next_ % static_cast<std::int64_t>(kPage));
  if (pending_ == 0 && into_page != 0 && size > 0) {
    // The first bytes, up to the first page boundary, go through the page cache.
    const std::size_t head = std::min(size, kPage - into_page);
    if (const int err = write_all_at(buffered_fd_, bounce_.get(), head, next_)) io_fail("cannot write", path_, err);
    next_ += static_cast<std::int64_t>(head);
    std::memmove(bounce_.get(), bounce_.get() + head, size - head);
    size -= head;
  }
  pending_ += size;
}

// Writes the whole pages pending: in the background, while the other buffer fills, unless
// `last`, which writes them at once and then the partial page left at the end through the page
// cache.
void DirectWriter::write_pending(bool last) {
  wait_for_background();  // one write at a time, and its buffer free for the swap below
  const std::size_t whole = pending_ / kPage * kPage;
  // A device that wants larger alignment than 4 KiB refuses the write: the page cache takes it.
  const auto write_pages = [direct_fd = direct_fd_, buffered_fd = buffered_fd_](const char* data, std::size_t size,
                                                                                std::int64_t at) {
    const int err = write_all_at(direct_fd, data, size, at);
    return err == EINVAL ? write_all_at(buffered_fd, data, size, at) : err;
  };
  if (last) {
    if (whole > 0)
      if (const int err = write_pages(bounce_.get(), whole, next_)) io_fail("cannot write", path_, err);
    if (pending_ > whole)
      if (const int err = write_all_at(buffered_fd_, bounce_.get() + whole, pending_ - whole,
                                       next_ + static_cast<std::int64_t>(whole)))
        io_fail("cannot write", path_, err);
    next_ += static_cast<std::int64_t>(pending_);
    pending_ = 0;
    return;
  }
  if (whole == 0) return;
  if (!writing_) writing_.reset(take_bounce());
  std::swap(bounce_, writing_);
  std::memcpy(bounce_.get(), writing_.get() + whole, pending_ - whole);  // the partial page stays pending
  background_ = std::async(std::launch::async, write_pages, writing_.get(), whole, next_);
  next_ += static_cast<std::int64_t>(whole);
  pending_ -= whole;
}

void DirectWriter::finish() {
  write_pending(true);
  const int direct_fd = std::exchange(direct_fd_, -1);
  const int buffered_fd = std::exchange(buffered_fd_, -1);
  const int direct_rc = ::close(direct_fd);
  const int direct_err = errno;
  if (::close(buffered_fd) != 0) io_fail("cannot close", path_, errno);
  if (direct_rc != 0) io_fail("cannot close", path_, direct_err);
}

void write_file(const std::string& path, std::string_view content, unsigned mode, Durability durability) {
  if (content.size() >= kDirectWriteMinBytes) {
    if (auto direct = DirectWriter::open(path, 0, true, mode)) {
      direct->append(content);
      direct->finish();
      if (durability == Durability::now) sync_file(path);
      return;
    }
  }
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
    if (partial.empty()) continue;
    const auto status = std::filesystem::status(partial, ec);  // one stat per part: publication makes many
    if (std::filesystem::exists(status)) {
      // A file in the way would only fail the first write into the folder, later.
      if (!std::filesystem::is_directory(status)) io_fail("cannot create folder", partial.string(), ENOTDIR);
      continue;
    }
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

namespace {

// The mount a path is on, when the kernel tells (Linux 5.8 and later); nullopt otherwise.
std::optional<std::uint64_t> mount_id(const std::string& path) {
#ifdef STATX_MNT_ID
  struct statx st {};
  if (::statx(AT_FDCWD, path.c_str(), 0, STATX_MNT_ID, &st) == 0 && (st.stx_mask & STATX_MNT_ID) != 0)
    return st.stx_mnt_id;
#else
  (void)path;
#endif
  return std::nullopt;
}

}  // namespace

RenameSource::RenameSource(std::string folder) : folder_(std::move(folder)) {
  struct stat st {};
  if (::stat(folder_.c_str(), &st) != 0) io_fail("cannot stat", folder_, errno);
  device_ = st.st_dev;
  mount_ = mount_id(folder_);
}

void RenameSource::check_target(const std::string& to) const {
  struct stat target {};
  if (::stat(to.c_str(), &target) != 0) io_fail("cannot stat", to, errno);
  if (device_ != target.st_dev)
    fail(ExitCode::io_failure, "cannot publish into " + to + ": it is on another file system than the staging folder " +
                                   folder_ + " (a rename cannot move a file between file systems); nothing was published");
  // A bind mount shows the same file system (st_dev), yet rename() refuses to cross it (EXDEV).
  const auto target_mount = mount_id(to);
  if (mount_ && target_mount && *mount_ != *target_mount)
    fail(ExitCode::io_failure, "cannot publish into " + to + ": it is on another mount than the staging folder " +
                                   folder_ + " (a rename cannot move a file between mounts, bind mounts included); "
                                   "nothing was published");
  if (::access(to.c_str(), W_OK | X_OK) != 0) io_fail("cannot publish into", to, errno);
}

void check_rename_target(const std::string& from, const std::string& to) { RenameSource(from).check_target(to); }

void remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) fail(ExitCode::io_failure, "cannot remove " + path + ": " + ec.message());
}

void remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) io_fail("cannot remove", path, errno);
}

std::int64_t free_bytes(const std::string& folder) {
  struct statvfs fs {};
  if (::statvfs(folder.empty() ? "." : folder.c_str(), &fs) != 0) return -1;
  return static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
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
