#include "copyproof/common/resident_heap.hpp"

#include <malloc.h>

namespace copyproof {

void keep_freed_memory_resident() {
  mallopt(M_MMAP_THRESHOLD, 256 << 20);  // blocks below 256 MiB come from the heap
  mallopt(M_TRIM_THRESHOLD, 512 << 20);  // and the heap's top is kept up to 512 MiB
}

}  // namespace copyproof
