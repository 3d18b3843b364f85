#!/usr/bin/env bash
# Installs the Debian packages copyproof builds with. Idempotent: when everything is
# already present it prints nothing and returns at once (no apt-get call at all).
set -euo pipefail

packages=(
  cmake g++ make
  libeigen3-dev        # construction/, trained/: dense linear algebra
  libboost-dev         # ssm_bounds/: Boost.Multiprecision, Boost.Math
  libcli11-dev         # cli/: argument parsing
  nlohmann-json3-dev   # cli/: --json output
  doctest-dev          # tests/
  libbenchmark-dev     # bench/
  gnuplot-nox          # docs/ figures
  pybind11-dev python3-dev python3-numpy  # python/: the copyproof module
  python3-torch python3-matplotlib        # python/copyproof_torch.py, its tests, docs/python.md
  python3-minimal      # scripts/check_certificate.py (the independent certificate checker) and its test
  libexpat1-dev        # tests/figures: SVG well-formedness
  clang-format-14      # tests: the tree stays formatted (.clang-format; docs/conventions.md)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
