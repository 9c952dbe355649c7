#!/usr/bin/env bash
# `make run`: until the local endpoint lands, serves the conformance fixtures over stdio.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "lambda-mcp: serving the conformance fixture tools on stdio (Ctrl-C to stop)" >&2
exec build/lambda-mcp serve --conformance-fixtures
