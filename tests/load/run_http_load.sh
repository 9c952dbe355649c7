#!/usr/bin/env bash
# Bounded loopback load test: starts `lambda-mcp serve --http 127.0.0.1:0 --conformance-fixtures`, runs
# http_load (64 clients, 10,000 tools/call of test_simple_text by default), and reports the server's peak RSS.
#   run_http_load.sh [CLIENTS] [CALLS]        env: LMCP_BIN, LMCP_HTTP_LOAD (the http_load binary)
set -euo pipefail
clients="${1:-64}"
calls="${2:-10000}"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -n "${LMCP_BIN:-}" ] && [ -x "$LMCP_BIN" ] || fail "LMCP_BIN (${LMCP_BIN:-unset}) is not an executable lambda-mcp"
[ -n "${LMCP_HTTP_LOAD:-}" ] && [ -x "$LMCP_HTTP_LOAD" ] || fail "LMCP_HTTP_LOAD (${LMCP_HTTP_LOAD:-unset}) is not executable"
log="$(mktemp)"
"$LMCP_BIN" --log-level warn serve --http 127.0.0.1:0 --conformance-fixtures 2>"$log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^lambda-mcp: listening on \(http:[^ ]*\)$/\1/p' "$log" | head -1)"
  [ -n "$url" ] && break
  kill -0 $pid 2>/dev/null || { cat "$log" >&2; fail "server exited early"; }
  sleep 0.1
done
[ -n "$url" ] || fail "no listening line"
rc=0
"$LMCP_HTTP_LOAD" --url "$url" --clients "$clients" --calls "$calls" || rc=$?
rss_kb="$(awk '/^VmHWM:/ {print $2}' /proc/$pid/status)"
echo "server_peak_rss_mb=$((rss_kb / 1024)) (VmHWM ${rss_kb} kB)"
kill -TERM $pid
wait $pid || fail "server did not exit cleanly after the load (rc $?)"
trap 'rm -f "$log"' EXIT
[ "$rc" -eq 0 ] || { tail -20 "$log" >&2; fail "load test had errors"; }
echo "PASS"
