#!/usr/bin/env bash
# build_quiet.sh BUILD_DIR JOBS TARGET... -- CMAKE_ARGS...: configures BUILD_DIR (first time only) and builds
# only TARGETs, with CMake's and the compiler's output in BUILD_DIR/make-run.log. Prints one line while it
# works, and the log's tail if it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
build="$1" jobs="$2"
shift 2
targets=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do targets+=("$1"); shift; done
[ $# -gt 0 ] && shift
mkdir -p "$build"
log="$build/make-run.log"
: >"$log"
start=$(date +%s)
up_to_date=1
for t in "${targets[@]}"; do [ -x "$build/$t" ] || up_to_date=0; done
[ "$up_to_date" = 1 ] || echo "== building ${targets[*]} (a first build takes about 6 minutes on 2 cores; log: $log)"
if ! { [ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" "$@"; } >>"$log" 2>&1 ||
   ! cmake --build "$build" -j "$jobs" --target "${targets[@]}" >>"$log" 2>&1; then
  echo "build FAILED; the end of $log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
[ "$up_to_date" = 1 ] || echo "== built in $(( $(date +%s) - start )) s"
