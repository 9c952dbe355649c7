#!/usr/bin/env bash
# Runs one SDK client script from tests/e2e/client/ with the system Node. Fails loudly (never skips) when Node
# or the pinned npm packages are missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null 2>&1; then
  echo "FAIL: node is not installed; run scripts/setup.sh" >&2
  exit 1
fi
if [ ! -d "$here/client/node_modules/@modelcontextprotocol/sdk" ]; then
  echo "FAIL: tests/e2e/client/node_modules is missing the pinned MCP SDK; run scripts/setup.sh" >&2
  exit 1
fi
if [ -z "${LMCP_BIN:-}" ] || [ ! -x "$LMCP_BIN" ]; then
  echo "FAIL: LMCP_BIN (${LMCP_BIN:-unset}) is not an executable lambda-mcp" >&2
  exit 1
fi
exec node "$here/client/$1" "${@:2}"
