#!/usr/bin/env bash
# scripts/build.sh PRESET [cmake -D options...]: configure (once) and build a CMake preset.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:?usage: scripts/build.sh dev|release|asan}
shift
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Paths inside the tree are hashed relative to it, and the build folder itself is left out of
# the hash (with -g it would be, for the debug info's compilation directory), so a fresh clone
# elsewhere (as CI makes) reuses what an earlier build compiled. Measured at 14c8575: a clone
# in another folder missed 93% of a warm cache without CCACHE_NOHASHDIR.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
if [ ! -f "build/$preset/CMakeCache.txt" ] || [ $# -gt 0 ]; then
    cmake --preset "$preset" "$@" >/dev/null
fi
cmake --build --preset "$preset"
