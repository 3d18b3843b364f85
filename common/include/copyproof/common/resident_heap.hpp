#pragma once
// Keep freed blocks of hundreds of KiB in the process heap instead of returning them to
// the OS. glibc serves such blocks by mmap and unmaps them on free, so code that
// allocates and frees the same large buffers again and again pays page faults each time.
// Two places did: a training step's activation buffers (about a quarter of a step), and
// Eigen's GEMM, which allocates its packing buffers on every call — on this project's
// 2-core VM a 256 x 256 float GEMM in a loop ran 4x slower (30 vs 130 GFLOP/s) until its
// buffers stayed resident.

namespace copyproof {

void keep_freed_memory_resident();

}  // namespace copyproof
