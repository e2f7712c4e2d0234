#include "common/memory.hpp"

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace ba {

void keep_freed_memory_for_reuse() {
  // Up to 1 GiB from the heap (larger ones are rare and long-lived), and no trimming on free:
  // release_free_memory does that at phase ends. Both are hints; failure changes only speed.
  (void)mallopt(M_MMAP_THRESHOLD, 1 << 30);
  (void)mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

void release_free_memory() { (void)malloc_trim(0); }

std::optional<std::string> tunables_with_huge_page_heap(const char* tunables, std::string_view thp_enabled) {
  const std::string current = tunables ? tunables : "";
  if (current.find("glibc.malloc.hugetlb") != std::string::npos) return std::nullopt;  // decided by the user
  // "[always]" backs the heap with huge pages anyway where it can, but only glibc's tunable aligns
  // the heap's growth to them; "[never]" (or no such file: no THP) would make the exec pointless.
  if (thp_enabled.find("[always]") == std::string_view::npos && thp_enabled.find("[madvise]") == std::string_view::npos)
    return std::nullopt;
  return current.empty() ? "glibc.malloc.hugetlb=1" : current + ":glibc.malloc.hugetlb=1";
}

void start_again_with_huge_page_heap(char** argv) {
  std::ifstream file("/sys/kernel/mm/transparent_hugepage/enabled");
  const std::string thp_enabled{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  const char* before = std::getenv("GLIBC_TUNABLES");
  const auto tunables = tunables_with_huge_page_heap(before, thp_enabled);
  if (!tunables) return;
  const std::optional<std::string> restore = before ? std::optional<std::string>(before) : std::nullopt;
  // The new value names hugetlb, so the program started again goes on as it is: no loop.
  if (setenv("GLIBC_TUNABLES", tunables->c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // The exec failed (no /proc, say): run as we are, with the environment as it was.
  if (restore) setenv("GLIBC_TUNABLES", restore->c_str(), 1);
  else unsetenv("GLIBC_TUNABLES");
}

}  // namespace ba
