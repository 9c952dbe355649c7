#!/usr/bin/env bash
# Runs the Lambda catalog's black-box test against moto_server. Fails loudly (never skips) when node,
# python3, moto_server or the pinned SDK is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for tool in node python3 moto_server; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "FAIL: $tool is not installed (scripts/setup.sh; moto_server comes from pip moto[server]==5.2.1)" >&2
    exit 1
  fi
done
exec node "$here/lambda_moto.mjs" "$@"
