#!/usr/bin/env bash
# Prepares .deps/usr: the header-only libraries copyproof builds with (Eigen, CLI11,
# nlohmann-json, doctest, and the part of Boost it includes) with their CMake package
# files, copied from this Debian machine, for a GPU machine that has CUDA but not these
# Debian packages. Run it here, then carry .deps with the working tree (docs/gpu.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

root=.deps/usr
rm -rf .deps
mkdir -p "$root"
copy() {  # /usr/<path> -> .deps/usr/<path>
  local target="$root/${1#/usr/}"
  mkdir -p "$(dirname "$target")"
  cp -a "$1" "$target"
}
for path in /usr/include/eigen3 /usr/share/eigen3 /usr/include/CLI /usr/share/cmake/CLI11 \
            /usr/include/nlohmann /usr/share/cmake/nlohmann_json /usr/include/doctest /usr/lib/cmake/doctest \
            /usr/lib/x86_64-linux-gnu/cmake/Boost-1.74.0 /usr/lib/x86_64-linux-gnu/cmake/boost_headers-1.74.0 \
            /usr/lib/x86_64-linux-gnu/cmake/BoostDetectToolset-1.74.0.cmake; do
  copy "$path"
done
# Boost: only the headers the project's sources include (all of Boost is 160 MB).
includes=(-I ssm_bounds/include -I construction/include -I common/include -I gpu/include -I cli -I /usr/include/eigen3)
for source in ssm_bounds/src/*.cpp cli/*.cpp cli/check/*.cpp; do
  g++ -std=c++20 -M "${includes[@]}" "$source"
done | tr ' \\' '\n\n' | grep '^/usr/include/boost/' | sort -u | while read -r header; do copy "$header"; done
grep -qx '/.deps/' .git/info/exclude 2>/dev/null || echo '/.deps/' >> .git/info/exclude
du -sh .deps
