#pragma once
// How the job's processes use the C heap.
//
// Why: on the VMs this job runs on, touching a page the process has not touched before costs a
// fault that the host must back, about 1.5 s per GB. glibc's defaults hand every buffer above
// 32 MiB back to the kernel when freed (mmap/munmap), so a phase that builds and frees per-slice
// or per-round buffers pays for fresh pages again and again (6.5 million faults in a 10M-event
// run). So freed memory stays in the heap for reuse within a phase, and what is free is handed
// back between phases, which keeps the peak close to what each phase really holds.
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ba {

// Reserves room for n items when the system grants it. An untouched reservation costs no
// resident memory, but where address space is counted (vm.overcommit_memory=2, ulimit -v) a large
// one may be refused: then the vector grows as it would have anyway.
template <class T>
void reserve_if_granted(std::vector<T>& items, std::size_t n) {
  try {
    items.reserve(n);
  } catch (const std::bad_alloc&) {
  } catch (const std::length_error&) {
  }
}

// Frees a container's memory now. (`items = {}` does not: for a vector or a string it picks the
// initializer_list assignment, which destroys the elements and keeps the whole buffer.)
template <class Container>
void free_now(Container& items) {
  Container().swap(items);
}

// First thing in main, before anything else: when the kernel offers transparent huge pages on
// request and glibc has not been told either way, starts the program again (same process, same
// arguments) with glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES, so that the heap is backed by
// 2 MiB pages. Why: the job's tables are spread over gigabytes of heap; with 4 KiB pages page
// faults and TLB misses took a large share of its time (10M events, 2 ranks: 41-51 s -> 36-37 s).
// glibc reads its tunables only when a program starts, hence the exec. A user who sets
// glibc.malloc.hugetlb (to 0, say) decides instead; if the exec fails the job runs as it is.
void start_again_with_huge_page_heap(char** argv);
// The decision above: GLIBC_TUNABLES's new value, or none when the program should go on as it is.
// `tunables` is the variable's value (nullptr when unset), `thp_enabled` the contents of
// /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never"; empty when unreadable).
std::optional<std::string> tunables_with_huge_page_heap(const char* tunables, std::string_view thp_enabled);

// Once, at start-up: large buffers come from the heap, and free memory stays there.
void keep_freed_memory_for_reuse();
// Between phases: gives the heap's free pages back to the kernel.
void release_free_memory();

}  // namespace ba
