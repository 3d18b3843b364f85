#!/usr/bin/env bash
# format_check.sh CLANG_FORMAT SOURCE_DIR: fails, listing the files, when clang-format would
# change any tracked C++/CUDA file. Fix with `git clang-format` (docs/conventions.md).
set -euo pipefail
clang_format=$1
cd "$2"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.cu' '*.cuh' '*.h' '*.cc')
[ ${#files[@]} -gt 0 ] || { echo "format_check: no tracked C++ files under $2" >&2; exit 1; }
bad=()
for f in "${files[@]}"; do
  "$clang_format" --style=file --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "format_check: ${#bad[@]} of ${#files[@]} files are not formatted (run git clang-format):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "format_check: ${#files[@]} files formatted"
