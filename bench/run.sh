#!/usr/bin/env bash
# `make bench`: runs the micro-benchmarks (Google Benchmark, median of 5 repetitions) and the end-to-end driver
# against the Release build in <build-dir>, prints the table and writes results/bench-<UTC timestamp>.json.
# Usage: bench/run.sh [build-dir=build-release]; env BENCH_RUNS (5), BENCH_CALLS (1000), BENCH_MOTO (1 = also
# moto_server, which must be on PATH), BENCH_ONLY (comma list: startup,calls,concurrency,http,streams,slow,rate,moto).
set -euo pipefail
BUILD=${1:-build-release}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$ROOT/results"
mkdir -p "$OUT" "$BUILD/bench-work"
micro_args=()
for name in jsonrpc_bench sigv4_bench chain_bench; do  # the Google Benchmark binaries (http_bench is mcp_bench's helper)
  b="$BUILD/bench/$name"
  [[ -x "$b" ]] || { echo "bench: $b is missing" >&2; exit 1; }
  "$b" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
       --benchmark_out="$BUILD/bench-work/$name.json" --benchmark_out_format=json >/dev/null
  micro_args+=(--micro "$BUILD/bench-work/$name.json")
done
moto_args=()
if [[ "${BENCH_MOTO:-1}" == 1 ]]; then
  command -v moto_server >/dev/null || { echo "bench: moto_server not on PATH (BENCH_MOTO=0 to skip)" >&2; exit 1; }
  moto_args=(--moto)
fi
only_args=()
[[ -n "${BENCH_ONLY:-}" ]] && only_args=(--only "$BENCH_ONLY")
"$BUILD/bench/mcp_bench" --lambda-mcp "$BUILD/lambda-mcp" --local "$BUILD/lambda-mcp-local" \
  --http-bench "$BUILD/bench/http_bench" --scale-bench "$BUILD/bench/scale_bench" --runs "${BENCH_RUNS:-5}" --calls "${BENCH_CALLS:-1000}" --log "$BUILD/bench-work/stderr.log" \
  --json "$OUT/bench-$STAMP.json" "${micro_args[@]}" "${moto_args[@]}" "${only_args[@]}"
