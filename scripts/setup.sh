#!/usr/bin/env bash
# Installs what lambda-mcp needs to build and test on Debian 12. Idempotent: quick when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

DEBS=(build-essential cmake pkg-config git ca-certificates openssl
      nlohmann-json3-dev libssl-dev libcpp-httplib-dev libboost1.81-dev zlib1g-dev libyaml-cpp-dev
      libvalijson-dev libcli11-dev libspdlog-dev libfmt-dev
      libgtest-dev libgmock-dev googletest libbenchmark-dev
      clang libclang-rt-14-dev clang-format clang-tidy clang-tools python3
      libhiredis-dev  # the Redis client of src/state (--state redis://...: state shared by replicas)
      redis-server    # the real Redis the state tests start (tests/support/state/redis_server.h)
      haproxy  # the round-robin proxy in front of two replicas (tests/e2e/lambda_local/round_robin.mjs)
      python3-prometheus-client)  # parses /metrics in tests/e2e/lambda_local/metrics_keep_warm.py

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node and npm: NodeSource's nodejs bundles npm and conflicts with Debian's npm package.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || { dpkg-query -W nodejs 2>/dev/null | grep -q nodesource || missing+=(npm); }
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Pinned npm test clients (tests/e2e/client/package.json). Skip when the lock's packages are present.
if [ "${SKIP_NPM:-0}" != "1" ]; then
  for pkg in $(find tests bench -name package.json -not -path '*/node_modules/*' 2>/dev/null | sort); do
    dir=$(dirname "$pkg")
    if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      echo "setup: npm install in $dir" >&2
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
  done
fi
