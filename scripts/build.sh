#!/usr/bin/env bash
# scripts/build.sh PRESET [cmake -D options...]: configure (once) and build a CMake preset.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:?usage: scripts/build.sh dev|release|asan}
shift
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
# Paths inside the tree are hashed relative to it, so a fresh clone elsewhere (as CI makes)
# reuses what an earlier build compiled.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
if [ ! -f "build/$preset/CMakeCache.txt" ] || [ $# -gt 0 ]; then
    cmake --preset "$preset" "$@" >/dev/null
fi
cmake --build --preset "$preset"
