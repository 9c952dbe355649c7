#!/usr/bin/env bash
# Runs the Lambda catalog's black-box test against `lambda-mcp local`. Fails loudly when node is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null 2>&1; then
  echo "FAIL: node is not installed (scripts/setup.sh)" >&2
  exit 1
fi
exec node "$here/lambda_local.mjs" "$@"
