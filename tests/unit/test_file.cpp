#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstring>
#include <random>
#include <string>

#include "common/error.hpp"
#include "common/file.hpp"
#include "temp_dir.hpp"

using namespace ba;

namespace {
// The running test's own folder: each test removes it when done.
std::string temp_dir() { return test::scratch_subdir(::testing::UnitTest::GetInstance()->current_test_info()->name()); }
unsigned mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}
// Deterministic bytes that differ at every offset, so a misplaced page cannot go unnoticed.
std::string pattern(std::size_t size, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (auto& b : bytes) b = static_cast<char>(random() & 0xff);
  return bytes;
}
}  // namespace

TEST(File, LargeFilesAreWrittenWholeThroughTheDirectPathAndTruncatedOnRewrite) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/large.csv";
  // Over the direct threshold, more than one bounce buffer, and not a whole number of pages.
  const std::string first = pattern((std::size_t{9} << 20) + 123, 1);
  write_file(path, first, 0640, Durability::later);
  sync_file(path);
  EXPECT_EQ(read_file(path), first);
  EXPECT_EQ(mode_of(path), 0640u);
  const std::string second = pattern(kDirectWriteMinBytes + 1, 2);  // shorter: the rest must go
  write_file(path, second, 0600, Durability::now);
  EXPECT_EQ(read_file(path), second);
  EXPECT_EQ(mode_of(path), 0600u);
  remove_tree(dir);
}

TEST(File, DirectWritersOfAdjacentUnalignedRangesShareTheirBoundaryPages) {
  // Two writers alive at once, like two ranks writing their rows of one dataset: the page where
  // one range ends and the next begins is written by both, through the page cache.
  const std::string dir = temp_dir();
  const std::string path = dir + "/ranges.bin";
  const std::string before = pattern(1000, 3);  // bytes before the ranges must survive
  write_file(path, before, 0640, Durability::now);
  const std::int64_t start = 1000, split = 1000 + 4096 * 3 + 17;
  const std::string a = pattern(static_cast<std::size_t>(split - start), 4);
  const std::string b = pattern((std::size_t{5} << 20) + 4096 + 999, 5);
  auto first = DirectWriter::open(path, start, false);
  auto second = DirectWriter::open(path, split, false);
  if (!first || !second) GTEST_SKIP() << "the file system of /tmp has no O_DIRECT";
  // Appends of awkward sizes: under a page, across pages, across the bounce buffer.
  std::size_t at = 0;
  for (std::size_t step : {std::size_t{1}, std::size_t{4095}, std::size_t{4097}, std::size_t{3} << 20, b.size()}) {
    const std::size_t n = std::min(step, b.size() - at);
    second->append(std::string_view(b).substr(at, n));
    at += n;
  }
  first->append(std::string_view(a).substr(0, 10));
  first->append(std::string_view(a).substr(10));
  second->finish();
  first->finish();
  sync_file(path);
  EXPECT_EQ(read_file(path), before + a + b);
  remove_tree(dir);
}

TEST(File, BytesMadeInTheDirectWritersRoomLandWhereAppendsWould) {
  // The store packs its records straight into the writer's room: sizes that fill the room
  // exactly, overflow it, or are tiny, from an unaligned offset, mixed with appends.
  const std::string dir = temp_dir();
  const std::string path = dir + "/room.bin";
  const std::string before = pattern(777, 6);
  write_file(path, before, 0640, Durability::now);
  auto writer = DirectWriter::open(path, 777, false);
  if (!writer) GTEST_SKIP() << "the file system of /tmp has no O_DIRECT";
  std::string expected = before;
  std::uint32_t seed = 7;
  for (std::size_t size : {std::size_t{1}, DirectWriter::kMaxRoom, std::size_t{4096}, std::size_t{3} << 20,
                           DirectWriter::kMaxRoom, std::size_t{0}, std::size_t{5000}}) {
    const std::string bytes = pattern(size, seed++);
    if (seed % 2 == 0) {
      std::memcpy(writer->room(size), bytes.data(), size);
      writer->commit(size);
    } else {
      writer->append(bytes);
    }
    expected += bytes;
  }
  writer->finish();
  sync_file(path);
  EXPECT_EQ(read_file(path), expected);
  try {
    auto again = DirectWriter::open(path, 0, false);
    (void)again->room(DirectWriter::kMaxRoom + 1);
    ADD_FAILURE() << "room larger than the bounce buffer was granted";
  } catch (const Failure& f) {
    EXPECT_EQ(f.code(), ExitCode::internal);
  }
  remove_tree(dir);
}

TEST(File, AFailedBackgroundWriteIsAnIoFailureNamingTheFile) {
  // Full pages are written by a background thread: its error must reach the caller. A file size
  // limit makes the write past 6 MiB fail (EFBIG, with SIGXFSZ ignored).
  const std::string dir = temp_dir();
  const std::string path = dir + "/limited.bin";
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  auto writer = DirectWriter::open(path, 0, true);
  if (!writer) GTEST_SKIP() << "the file system of /tmp has no O_DIRECT";
  struct rlimit limit = old_limit;
  limit.rlim_cur = std::size_t{6} << 20;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  bool failed = false, appended = false;
  try {
    const std::string bytes = pattern(std::size_t{1} << 20, 8);
    for (int i = 0; i < 16; ++i) writer->append(bytes);
    appended = true;
    writer->finish();
  } catch (const Failure& f) {
    failed = true;
    EXPECT_EQ(f.code(), ExitCode::io_failure);
    EXPECT_NE(std::string(f.what()).find(path), std::string::npos) << f.what();
  }
  writer.reset();  // waits for any write still in the background before closing
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(failed) << "16 MiB written under a 6 MiB file size limit";
  // The write of bytes 4 to 8 MiB failed in the background; the next buffer's turn reports it.
  EXPECT_FALSE(appended) << "the background write's error waited for finish()";
  remove_tree(dir);
}

TEST(File, ADirectWriterDroppedWithAWriteInTheBackgroundWaitsForIt) {
  // Unwinding (another rank failed, an exception elsewhere) destroys a writer without finish():
  // the background write still reads its buffer and descriptor, so the destructor waits.
  const std::string dir = temp_dir();
  {
    auto writer = DirectWriter::open(dir + "/dropped.bin", 0, true);
    if (!writer) GTEST_SKIP() << "the file system of /tmp has no O_DIRECT";
    writer->append(pattern(std::size_t{9} << 20, 9));
  }
  EXPECT_GE(file_size(dir + "/dropped.bin"), std::int64_t{4} << 20);  // the first full buffer at least
  remove_tree(dir);
}

TEST(File, WritesNowOrLaterWithTheSameBytesAndMode) {
  const std::string dir = temp_dir();
  write_file(dir + "/now.csv", "a,b\n1,2\n", 0640, Durability::now);
  write_file(dir + "/later.csv", "a,b\n1,2\n", 0600, Durability::later);
  sync_file(dir + "/later.csv");
  start_writeback(dir + "/later.csv");  // harmless on a synced file
  EXPECT_EQ(read_file(dir + "/now.csv"), "a,b\n1,2\n");
  EXPECT_EQ(read_file(dir + "/later.csv"), "a,b\n1,2\n");
  EXPECT_EQ(mode_of(dir + "/now.csv"), 0640u);
  EXPECT_EQ(mode_of(dir + "/later.csv"), 0600u);
  remove_tree(dir);
}

TEST(File, SyncingAMissingFileIsAnIoFailureNamingIt) {
  try {
    sync_file("/tmp/ba-no-such-file-for-sync");
    ADD_FAILURE() << "sync_file accepted a missing file";
  } catch (const Failure& f) {
    EXPECT_EQ(f.code(), ExitCode::io_failure);
    EXPECT_NE(std::string(f.what()).find("/tmp/ba-no-such-file-for-sync"), std::string::npos);
  }
}
