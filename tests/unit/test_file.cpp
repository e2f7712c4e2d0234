#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "common/error.hpp"
#include "common/file.hpp"

using namespace ba;

namespace {
std::string temp_dir() {
  std::string dir = "/tmp/ba-file-test-" + std::to_string(::getpid());
  make_dirs(dir);
  return dir;
}
unsigned mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}
}  // namespace

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
