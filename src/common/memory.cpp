#include "common/memory.hpp"

#include <malloc.h>

namespace ba {

void keep_freed_memory_for_reuse() {
  // Up to 1 GiB from the heap (larger ones are rare and long-lived), and no trimming on free:
  // release_free_memory does that at phase ends. Both are hints; failure changes only speed.
  (void)mallopt(M_MMAP_THRESHOLD, 1 << 30);
  (void)mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

void release_free_memory() { (void)malloc_trim(0); }

}  // namespace ba
