#!/usr/bin/env bash
# Runs one Lambda black-box script of this folder against `lambda-mcp local`:
#   run.sh [script.mjs] [args]   (default lambda_local.mjs)
# Fails loudly when node or the pinned npm clients are missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null 2>&1; then
  echo "FAIL: node is not installed (scripts/setup.sh)" >&2
  exit 1
fi
script="lambda_local.mjs"
if [[ "${1:-}" == *.mjs ]]; then
  script="$1"
  shift
fi
exec node "$here/$script" "$@"
