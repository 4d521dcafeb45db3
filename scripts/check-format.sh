#!/usr/bin/env bash
# Fails when a C++ file differs from what clang-format (.clang-format, Qt-like) would write.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h')
[ ${#files[@]} -eq 0 ] && exit 0
if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/tasklane-format.log; then
    grep -E '^[^ ].*: (error|warning):' /tmp/tasklane-format.log | cut -d: -f1 | sort -u >&2
    echo "clang-format would change the files above: run clang-format -i on them" >&2
    exit 1
fi
