#!/usr/bin/env bash
# `make run`: starts `lambda-mcp local` (the local Lambda endpoint) with the sample functions of
# examples/template.yaml on port 7300 (LMCP_LOCAL_PORT), points lambda-mcp at it, runs a short MCP demo (the
# tools, one successful call, one function error) with the pinned SDK client, then serves Streamable HTTP on
# port 7301 (LMCP_HTTP_PORT), keeps both up and prints how to connect an MCP client. The ports are fixed so that
# the client config it prints keeps working on the next run. Ctrl-C stops everything this script started. No
# AWS account needed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
start_ns=$(date +%s%N)
bin="${LMCP_BIN:-$root/build/lambda-mcp}"
local_port="${LMCP_LOCAL_PORT:-7300}"
http_port="${LMCP_HTTP_PORT:-7301}"
key="AKIDLOCALDEMO"
secret="lambda-mcp-local-demo-secret"
if [[ ! -x "$bin" ]]; then
  echo "run.sh: $bin is missing; build first (make build)" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/lambda-mcp-run.XXXXXX")"
local_pid=""
http_pid=""
cleanup() {
  trap - EXIT INT TERM
  for pid in $http_pid $local_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "run.sh: stopping"; exit 0' INT TERM

# 1. The local endpoint; it prints "lambda-mcp local listening on http://127.0.0.1:PORT".
"$bin" local --template "$root/examples/template.yaml" --port "$local_port" \
  --access-key-id "$key" --secret-access-key "$secret" >"$work/local.out" 2>"$work/local.log" &
local_pid=$!
url=""
for _ in $(seq 1 200); do
  url="$(sed -n 's/^lambda-mcp local listening on //p' "$work/local.out" 2>/dev/null || true)"
  [[ -n "$url" ]] && break
  if ! kill -0 "$local_pid" 2>/dev/null; then
    echo "run.sh: lambda-mcp local exited:" >&2
    cat "$work/local.log" >&2
    if grep -q "in use" "$work/local.log"; then
      echo "run.sh: port $local_port is taken (another make run?); stop it, or choose one: LMCP_LOCAL_PORT=7400 make run" >&2
    fi
    exit 1
  fi
  sleep 0.05
done
if [[ -z "$url" ]]; then
  echo "run.sh: lambda-mcp local did not report its address" >&2
  cat "$work/local.log" >&2
  exit 1
fi
echo "== lambda-mcp local: sample functions from examples/template.yaml at $url"

# 2. The environment lambda-mcp serve runs with: the local endpoint, its credentials, the samples.
serve_env=(
  "AWS_ENDPOINT_URL=$url"
  "AWS_ACCESS_KEY_ID=$key"
  "AWS_SECRET_ACCESS_KEY=$secret"
  "AWS_REGION=us-east-1"
  "AWS_EC2_METADATA_DISABLED=true"
  "FUNCTION_PREFIX=mcp-"
  "FUNCTION_INPUT_SCHEMA_ARN_TAG_KEY=tool-input-schema-arn"
)

# 3. The demo, through the pinned MCP SDK client (tests/e2e/client, installed by scripts/setup.sh).
if command -v node >/dev/null 2>&1 && [[ -d "$root/tests/e2e/client/node_modules/@modelcontextprotocol/sdk" ]]; then
  env "${serve_env[@]}" LMCP_BIN="$bin" LMCP_CLIENT_DIR="$root/tests/e2e/client" \
    node "$root/examples/mcp_demo_client.mjs" || echo "run.sh: the demo failed (see above); the endpoint stays up" >&2
else
  echo "run.sh: node or tests/e2e/client/node_modules missing (make setup); skipping the demo" >&2
fi
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
echo "== demo finished ${elapsed_ms} ms after run.sh started"

# 4. The same tools over Streamable HTTP (loopback only, so no token is needed).
env "${serve_env[@]}" "$bin" serve --http "127.0.0.1:$http_port" >"$work/http.out" 2>"$work/http.log" &
http_pid=$!
http_url=""
for _ in $(seq 1 200); do
  http_url="$(sed -n 's/^lambda-mcp: listening on //p' "$work/http.log" 2>/dev/null || true)"
  [[ -n "$http_url" ]] && break
  kill -0 "$http_pid" 2>/dev/null || break
  sleep 0.05
done
if [[ -z "$http_url" ]]; then
  echo "run.sh: lambda-mcp serve --http did not start:" >&2
  cat "$work/http.log" >&2
  if grep -q "in use" "$work/http.log"; then
    echo "run.sh: port $http_port is taken; choose another: LMCP_HTTP_PORT=7401 make run" >&2
  fi
  http_pid=""
fi

# 5. Stay up and tell the user how to connect. The demo's keys are the local endpoint's, no secret: they go
# into the printed config on purpose (--env).
env_flags=()
for kv in "${serve_env[@]}"; do
  env_flags+=(--env "$kv")
done
cat <<INFO

== lambda-mcp local keeps running at $url (admin: $url/__admin/stats). Ctrl-C stops it.
${http_url:+== lambda-mcp serve (Streamable HTTP) is running at $http_url
   e.g. npx @modelcontextprotocol/inspector --cli $http_url --transport http --method tools/list
}
Connect an MCP client over stdio (the ports stay the same on the next make run):
  env ${serve_env[*]} \\
    $bin serve

Claude Desktop (claude_desktop_config.json), from \`lambda-mcp config --client claude-desktop\` (also: cursor,
vscode, claude-code):
INFO
env -i PATH="$PATH" HOME="${HOME:-/tmp}" "$bin" config --client claude-desktop --name lambda-mcp-local \
  "${env_flags[@]}" 2>/dev/null
wait "$local_pid"
