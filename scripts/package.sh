#!/usr/bin/env bash
# package.sh [BUILD_DIR] [OUT_DIR]: builds lambda-mcp (Release, no tests or benchmarks) and its Debian package
# into OUT_DIR (default: BUILD_DIR). The Dockerfile's build stage runs it; so can anyone, after
# `scripts/setup.sh --run`. Prints the package's path.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-package}"
out="${2:-$build}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DLMCP_BENCH=OFF -DLMCP_E2E=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target lambda-mcp >/dev/null
(cd "$build" && cpack -G DEB -B "$(realpath -m "$out")" >/dev/null)
ls "$(realpath -m "$out")"/lambda-mcp_*.deb
