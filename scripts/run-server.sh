#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running server on the embedded default:
# installs what is missing, builds the release preset, and serves on http://127.0.0.1:8080
# with a SQLite database in ~/.local/share/tasklane (override with --data DIR, --listen ...).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
exec build/release/server/tasklaned serve "$@"
