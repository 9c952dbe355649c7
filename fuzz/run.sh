#!/usr/bin/env bash
# Runs every libFuzzer target in <build-dir>/fuzz for <seconds> each (two at a time), starting from the
# committed seeds in fuzz/corpus/<target>/ plus a working corpus in <build-dir>/fuzz-work/. Prints the
# executions per target; exits non-zero if any target crashed, leaked or timed out (the input is saved to
# <build-dir>/fuzz-work/<target>/crashes/; copy it to fuzz/regressions/<name>/ (the target without "fuzz_") once fixed).
# Usage: fuzz/run.sh [build-dir=build-asan] [seconds=60] [parallel=2]
set -uo pipefail
BUILD=${1:-build-asan}
SECS=${2:-60}
PAR=${3:-2}
SRC=$(cd "$(dirname "$0")" && pwd)
BIN="$BUILD/fuzz"
[[ -d "$BIN" ]] || { echo "fuzz/run.sh: no $BIN (run 'make asan-build')" >&2; exit 2; }
mapfile -t TARGETS < <(cd "$BIN" && ls fuzz_* 2>/dev/null | sort)
[[ ${#TARGETS[@]} -gt 0 ]] || { echo "fuzz/run.sh: no fuzz targets in $BIN" >&2; exit 2; }

run_one() {
  local t=$1 name=${1#fuzz_}
  local work="$BUILD/fuzz-work/$t"
  rm -rf "$work/crashes"  # count only this run's crashes
  mkdir -p "$work/corpus" "$work/crashes"
  local dicts=()
  [[ -f "$SRC/dict/$name.dict" ]] && dicts=(-dict="$SRC/dict/$name.dict")
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$BIN/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="$work/crashes/" "${dicts[@]}" "$work/corpus" "$SRC/corpus/$name" \
    > "$work/log.txt" 2>&1
  echo $? > "$work/rc"
}

start=$(date +%s)
running=0
for t in "${TARGETS[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if (( running >= PAR )); then wait -n; running=$((running - 1)); fi
done
wait

status=0
printf '%-22s %12s %10s %8s %s\n' target executions exec/s corpus result
for t in "${TARGETS[@]}"; do
  work="$BUILD/fuzz-work/$t"
  rc=$(cat "$work/rc")
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log.txt" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$work/log.txt" | grep -o '[0-9]*$' | tail -1)
  corpus=$(ls "$work/corpus" | wc -l)
  crashes=$(ls "$work/crashes" | wc -l)
  result=ok
  if [[ "$rc" != 0 || "$crashes" != 0 || -z "$execs" ]]; then
    result="FAILED (rc=$rc, $crashes crash files; log $work/log.txt)"
    status=1
    grep -E 'ERROR|SUMMARY|abort|signed request' "$work/log.txt" | head -5 | sed 's/^/    /' >&2
  fi
  printf '%-22s %12s %10s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$corpus" "$result"
done
echo "fuzz: ${#TARGETS[@]} targets x ${SECS}s, wall $(( $(date +%s) - start ))s"
exit $status
