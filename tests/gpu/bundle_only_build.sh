#!/usr/bin/env bash
# The device build with the bundle only (bench/gpu_deps.sh), the system's copies of the
# bundled libraries hidden: a private mount namespace (unshare -m, as root) puts an empty
# tmpfs over each of them, then configures the project with CUDA and compiles every C++
# object of the GPU target and its test that reads a bundled header (gpu_backend.cpp:
# Eigen; test_gpu_backend.cpp: doctest). The .cu files include no bundled library.
# Exit 77 (CTest: skipped) where this cannot run: not root, unshare refused, no nvcc.
#   tests/gpu/bundle_only_build.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$(cd "${1:?source dir}" && pwd)
work=${2:?work dir}
skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root for unshare -m and tmpfs mounts"
unshare -m true 2>/dev/null || skip "unshare -m is not permitted here"
nvcc=${CUDACXX:-/usr/local/cuda/bin/nvcc}
[ -x "$nvcc" ] || nvcc=$(command -v nvcc || true)
[ -n "$nvcc" ] || skip "no nvcc: the GPU target cannot be configured"

rm -rf "$work"
mkdir -p "$work"
"$src/bench/gpu_deps.sh" --no-install "$work/deps" >/dev/null
# Makefiles, no unity build: they build one object file without its target's dependencies (Ninja would build
# the libraries first). bench/gpu_check.sh uses Ninja on the GPU machine.
generator="Unix Makefiles"

hidden=(/usr/include/eigen3 /usr/share/eigen3 /usr/include/CLI /usr/share/cmake/CLI11 /usr/include/nlohmann
        /usr/share/cmake/nlohmann_json /usr/include/doctest /usr/lib/cmake/doctest /usr/include/boost
        /usr/lib/x86_64-linux-gnu/cmake/Boost-1.74.0 /usr/lib/x86_64-linux-gnu/cmake/boost_headers-1.74.0)
export src work nvcc generator
unshare -m bash -euo pipefail -c '
  mount --make-rprivate /
  for d in '"${hidden[*]}"'; do [ -d "$d" ] && mount -t tmpfs none "$d"; done
  if [ -e /usr/include/doctest/doctest.h ] || [ -e /usr/include/eigen3/Eigen/Core ]; then
    echo "FAIL: the system headers are still visible"; exit 1
  fi
  cmake -S "$src" -B "$work/build" -G "$generator" -DCMAKE_CUDA_COMPILER="$nvcc" -DCOPYPROOF_CUDA=ON \
        -DCOPYPROOF_BENCH=OFF -DCOPYPROOF_UNITY=OFF -DCMAKE_PREFIX_PATH="$work/deps/usr" >"$work/configure.log" 2>&1 \
    || { tail -20 "$work/configure.log"; echo "FAIL: configure with the bundle only"; exit 1; }
  grep -q "GPU path ON" "$work/configure.log" || { echo "FAIL: CUDA not enabled"; exit 1; }
  { (cd "$work/build/gpu" && make src/gpu_backend.cpp.o) && (cd "$work/build/tests" && make gpu/test_gpu_backend.cpp.o); } \
    >"$work/build.log" 2>&1 \
    || { grep -E "error|No such file" "$work/build.log" | head -10; echo "FAIL: build with the bundle only"; exit 1; }
  echo "bundle-only device build: configured with CUDA and compiled gpu_backend.cpp and test_gpu_backend.cpp with the system headers hidden"
'
