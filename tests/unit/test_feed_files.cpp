#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "common/error.hpp"
#include "common/file.hpp"
#include "ingest/feed_files.hpp"
#include "temp_dir.hpp"

using namespace ba;

namespace {

// A feed file `name` holding `content`, as the plan records it.
FeedFile planned(const std::string& name, const std::string& content) {
  const std::string path = test::write_scratch_file(name, content);
  const auto size = static_cast<std::int64_t>(content.size());
  return FeedFile{path, "feed/" + name, size, modified_ns(path, name), edges_digest(path, name, size)};
}

void append(const FeedFile& f, const std::string& text) {
  std::ofstream(f.path, std::ios::app | std::ios::binary) << text;
}

// Sets the file's modification time `delta_ns` away from the planned one.
void touch(const FeedFile& f, std::int64_t delta_ns) {
  const std::int64_t t = f.modified_ns + delta_ns;
  const timespec times[2] = {{0, UTIME_OMIT}, {t / 1'000'000'000, t % 1'000'000'000}};
  ASSERT_EQ(::utimensat(AT_FDCWD, f.path.c_str(), times, 0), 0);
}

// The io_failure changed_since_plan ends with ("" when it returns).
std::string failure(const FeedFile& f) {
  try {
    (void)changed_since_plan(f, 4);
  } catch (const Failure& e) {
    EXPECT_EQ(e.code(), ExitCode::io_failure);
    return e.what();
  }
  return "";
}

const std::string kHeader = "id,seller,amount\n";

}  // namespace

TEST(ChangedSincePlan, AnUnchangedFileIsNothingToSay) {
  const auto f = planned("same.csv", kHeader + "e1,S1,1.00\n");
  EXPECT_EQ(changed_since_plan(f, 4), std::nullopt);
  const auto no_line_feed = planned("last.csv", kHeader + "e1,S1,1.00");  // RFC 4180 allows it
  EXPECT_EQ(changed_since_plan(no_line_feed, 4), std::nullopt);
}

TEST(ChangedSincePlan, RowsAppendedAfterARecordsEndAreAWarning) {
  const auto f = planned("grew.csv", kHeader + "e1,S1,\"a \"\"quoted\"\" id\"\n");
  append(f, "e2,S1,2.00\ne3,");  // even a half-written row, after the planned bytes
  const auto said = changed_since_plan(f, 4);
  ASSERT_TRUE(said.has_value());
  EXPECT_EQ(*said, "input file feed/grew.csv changed while the run read it (" + std::to_string(f.size) + " -> " +
                       std::to_string(f.size + 14) +
                       " bytes): its planned bytes end where a record ends, so the run read whole records; the "
                       "14 bytes appended since are not in this run");
}

TEST(ChangedSincePlan, APlannedEndInsideARecordFailsTheRun) {
  // The delivery was being appended when the run planned: its last row was cut.
  const auto cut = planned("cut.csv", kHeader + "e1,S1,1.0");
  append(cut, "0\n");
  EXPECT_NE(failure(cut).find("input file feed/cut.csv changed while the run read it"), std::string::npos);
  EXPECT_NE(failure(cut).find("nothing was published"), std::string::npos);

  // A line feed inside quotes is data, not a record's end (free text in dimension feeds).
  const auto quoted = planned("quoted.csv", "key,company\nk1,\"Line one\n");
  append(quoted, "line two\"\n");
  EXPECT_NE(failure(quoted).find("feed/quoted.csv changed"), std::string::npos);
}

TEST(ChangedSincePlan, AFileShrunkRewrittenOrGoneFailsTheRun) {
  const auto shrunk = planned("shrunk.csv", kHeader + "e1,S1,1.00\n");
  test::write_scratch_file("shrunk.csv", kHeader);
  EXPECT_EQ(failure(shrunk), "input file feed/shrunk.csv changed while the run read it (" + std::to_string(shrunk.size) +
                                 " -> " + std::to_string(kHeader.size()) +
                                 " bytes): the run may have read a half-written or changing file, so nothing was "
                                 "published; rerun the period once the file is complete");

  const auto rewritten = planned("rewritten.csv", kHeader + "e1,S1,1.00\n");
  test::write_scratch_file("rewritten.csv", kHeader + "e1,S1,9.00\n");  // same size
  touch(rewritten, 1'000'000);
  EXPECT_NE(failure(rewritten).find("bytes, rewritten in place)"), std::string::npos) << failure(rewritten);

  // Rewritten whole with more rows, a line feed where the planned bytes ended: not an append.
  const auto regenerated = planned("regenerated.csv", kHeader + "e1,S1,1.00\n");
  test::write_scratch_file("regenerated.csv", kHeader + "e1,S1,7.00\ne2,S1,2.00\n");
  EXPECT_NE(failure(regenerated).find("rewritten: the first or last of the bytes planned differ)"), std::string::npos)
      << failure(regenerated);

  const auto gone = planned("gone.csv", kHeader);
  remove_file(gone.path);
  EXPECT_NE(failure(gone).find("is gone since the run planned its inputs"), std::string::npos);
}

// A big file is fingerprinted by its first and last 4 KiB: a change in either, in a file grown
// by whole rows, fails the run; rows appended to the unchanged bytes do not.
TEST(ChangedSincePlan, TheFirstAndLastPlannedBytesMustBeUnchanged) {
  std::string rows = kHeader;
  for (int i = 0; rows.size() < 20000; ++i) rows.append("e").append(std::to_string(i)).append(",S1,1.00\n");
  const auto grown = planned("big-grown.csv", rows);
  append(grown, "x1,S1,1.00\n");
  EXPECT_TRUE(changed_since_plan(grown, 4096).has_value());

  for (const std::size_t at : {std::size_t{20}, rows.size() - 6}) {  // a digit in the head, then in the tail
    std::string changed = rows;
    changed[at] = changed[at] == '1' ? '2' : '1';
    const auto f = planned("big-" + std::to_string(at) + ".csv", rows);
    test::write_scratch_file("big-" + std::to_string(at) + ".csv", changed + "x1,S1,1.00\n");
    EXPECT_NE(failure(f).find("the first or last of the bytes planned differ"), std::string::npos) << at;
  }
}

TEST(EdgesDigest, ReadsOnlyThePlannedBytes) {
  const std::string path = test::write_scratch_file("edges.csv", kHeader + "e1,S1,1.00\n");
  const auto size = static_cast<std::int64_t>(kHeader.size());
  EXPECT_EQ(edges_digest(path, "edges.csv", size), edges_digest(test::write_scratch_file("head.csv", kHeader), "head.csv", size));
  EXPECT_NE(edges_digest(path, "edges.csv", size), edges_digest(path, "edges.csv", size + 4));
  try {
    (void)edges_digest(path, "edges.csv", size + 1000);
    ADD_FAILURE() << "a file shorter than planned";
  } catch (const Failure& e) {
    EXPECT_EQ(e.code(), ExitCode::io_failure);
    EXPECT_NE(std::string(e.what()).find("edges.csv"), std::string::npos);
  }
}
