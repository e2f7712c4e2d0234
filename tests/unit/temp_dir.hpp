#pragma once
// The test process's own scratch folder. ctest runs every test case as a process of its own, so a
// folder per pid left behind by each of them piles up in /tmp by the hundred; this one is made
// fresh (mkdtemp) the first time a test asks and removed, with all it holds, when the process ends.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "common/file.hpp"

namespace ba::test {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ba-unit-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a folder like " + pattern);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;  // nothing to do about a folder that cannot be removed at exit
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The process's scratch folder.
inline const std::string& scratch_dir() {
  static const ScratchDir dir;
  return dir.path();
}

// A folder `name` in the scratch folder, made if missing: for a test that removes its folder when
// done (the scratch folder itself must stay for the process's other tests).
inline std::string scratch_subdir(const std::string& name) {
  const std::string path = scratch_dir() + "/" + name;
  make_dirs(path);
  return path;
}

// Writes `content` to a file `name` in the scratch folder and returns its path.
inline std::string write_scratch_file(const std::string& name, const std::string& content) {
  const std::string path = scratch_dir() + "/" + name;
  write_file(path, content, 0640, Durability::later);  // fails loudly, unlike an ofstream
  return path;
}

}  // namespace ba::test
