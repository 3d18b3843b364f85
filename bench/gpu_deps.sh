#!/usr/bin/env bash
# Prepares a bundle of the header-only libraries copyproof builds with (Eigen, CLI11,
# nlohmann-json, doctest, and the part of Boost it includes) with their CMake package
# files, copied from this Debian machine, for a GPU machine that has CUDA but not these
# Debian packages. Run it here, then carry .deps with the working tree (docs/gpu.md).
#
#   bench/gpu_deps.sh [--no-install] [DEST]    # DEST defaults to .deps; the bundle is DEST/usr
#
# Every package in the bundle is relocatable: Debian's doctest package hard-codes
# /usr as its prefix, so the bundle carries the one header with a config that finds it
# next to itself. tests/gpu/bundle_only_build.sh configures and builds against the bundle
# with the system copies hidden.
set -euo pipefail
cd "$(dirname "$0")/.."
install=1
if [ "${1:-}" = "--no-install" ]; then install=0; shift; fi
dest=${1:-.deps}
[ "$install" = 1 ] && scripts/install-deps.sh

root=$dest/usr
rm -rf "$dest"
mkdir -p "$root"
copy() {  # /usr/<path> -> $root/<path>
  local target="$root/${1#/usr/}"
  mkdir -p "$(dirname "$target")"
  cp -a "$1" "$target"
}
for path in /usr/include/eigen3 /usr/share/eigen3 /usr/include/CLI /usr/share/cmake/CLI11 \
            /usr/include/nlohmann /usr/share/cmake/nlohmann_json /usr/include/doctest \
            /usr/lib/cmake/doctest/doctestConfigVersion.cmake \
            /usr/lib/x86_64-linux-gnu/cmake/Boost-1.74.0 /usr/lib/x86_64-linux-gnu/cmake/boost_headers-1.74.0 \
            /usr/lib/x86_64-linux-gnu/cmake/BoostDetectToolset-1.74.0.cmake; do
  copy "$path"
done
# doctest: the header only, with a config that locates it relative to itself.
cat > "$root/lib/cmake/doctest/doctestConfig.cmake" <<'CMAKE'
# doctest, bundled by bench/gpu_deps.sh: include/doctest/doctest.h three levels above this file.
get_filename_component(_copyproof_doctest_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET doctest::doctest)
  add_library(doctest::doctest INTERFACE IMPORTED)
  set_target_properties(doctest::doctest PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_copyproof_doctest_prefix}/include")
endif()
unset(_copyproof_doctest_prefix)
CMAKE
# No package file of the bundle may point back at the system's /usr.
if grep -rlE '"/usr(/|")' "$root" --include='*.cmake'; then
  echo "gpu_deps: a CMake package above hard-codes /usr: the bundle would not be relocatable" >&2
  exit 1
fi
# Boost: only the headers the project's sources include (all of Boost is 160 MB).
includes=(-I cli -I /usr/include/eigen3)
for dir in */include; do includes+=(-I "$dir"); done  # every library's headers, trained/ included
for source in $(ls */src/*.cpp cli/*.cpp cli/check/*.cpp | grep -v '^gpu/'); do  # gpu/ includes no Boost
  g++ -std=c++20 -M "${includes[@]}" "$source"
done | tr ' \\' '\n\n' | grep '^/usr/include/boost/' | sort -u | while read -r header; do copy "$header"; done
if [ "$dest" = .deps ] && [ -d .git ]; then
  grep -qx '/.deps/' .git/info/exclude 2>/dev/null || echo '/.deps/' >> .git/info/exclude
fi
du -sh "$dest"
