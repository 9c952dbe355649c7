#!/usr/bin/env bash
# Installs what lambda-mcp needs to build and test on Debian 12. Idempotent: quick when all is present.
#   scripts/setup.sh        everything `make test` needs
#   scripts/setup.sh --run  only what `make run` needs: the build toolchain and libraries, and Node with the
#                           pinned SDK client of the demo (no clang tools, Redis, HAProxy or test suites)
#   scripts/setup.sh --package  only the build toolchain and libraries (the Dockerfile's build stage)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-test}"
case "$mode" in
  test | --test) mode=test ;;
  --run) mode=run ;;
  --package) mode=package ;;
  *) echo "setup.sh: unknown option '$mode' (--run, --package, or nothing for what make test needs)" >&2; exit 2 ;;
esac

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# To build (`make run` installs only these): the toolchain, and the libraries the binaries and the
# test-support libraries CMake configures link.
DEBS=(build-essential cmake pkg-config git ca-certificates openssl
      nlohmann-json3-dev libssl-dev libcpp-httplib-dev libboost1.81-dev zlib1g-dev libyaml-cpp-dev
      libvalijson-dev libcli11-dev libspdlog-dev libfmt-dev
      libgtest-dev libgmock-dev googletest libbenchmark-dev python3
      libhiredis-dev)  # the Redis client of src/state (--state redis://...: state shared by replicas)
# To test: the clang builds and tools, and the real servers the tests start.
[ "$mode" != test ] || DEBS+=(
      clang libclang-rt-14-dev clang-format clang-tidy clang-tools
      redis-server    # the real Redis the state tests start (tests/support/state/redis_server.h)
      haproxy  # the round-robin proxy in front of two replicas (tests/e2e/lambda_local/round_robin.mjs)
      python3-prometheus-client  # parses /metrics in tests/e2e/lambda_local/metrics_keep_warm.py
      python3-venv)  # moto_server's venv, when it is not installed (below)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node and npm: NodeSource's nodejs bundles npm and conflicts with Debian's npm package.
if [ "$mode" != package ]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || { dpkg-query -W nodejs 2>/dev/null | grep -q nodesource || missing+=(npm); }
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Pinned npm test clients (tests/e2e/client/package.json). Skip when the lock's packages are present.
# `make run` needs only the SDK client its demo drives.
if [ "${SKIP_NPM:-0}" != "1" ] && [ "$mode" != package ]; then
  packages=$(find tests bench -name package.json -not -path '*/node_modules/*' 2>/dev/null | sort)
  [ "$mode" = run ] && packages=tests/e2e/client/package.json
  for pkg in $packages; do
    dir=$(dirname "$pkg")
    if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      echo "setup: npm install in $dir" >&2
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    fi
  done
fi

# moto_server (the AWS emulator the integration tests start), pinned, in a venv of its own, when it is not
# on PATH already. Without it `make test` fails, so a failed install stops here with the command to run.
MOTO_PIN="moto[server]==5.2.1"
if [ "$mode" = test ] && ! command -v moto_server >/dev/null 2>&1; then
  venv="${XDG_DATA_HOME:-$HOME/.local/share}/lambda-mcp/moto-venv"
  bindir=/usr/local/bin
  [ "$(id -u)" -eq 0 ] || bindir="$HOME/.local/bin"
  echo "setup: installing $MOTO_PIN into $venv (moto_server -> $bindir)" >&2
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet "$MOTO_PIN" &&
         mkdir -p "$bindir" && ln -sf "$venv/bin/moto_server" "$bindir/moto_server"; } >&2; then
    echo "setup: FAILED to install moto_server. Run this, then make test again:" >&2
    echo "  python3 -m venv $venv && $venv/bin/pip install '$MOTO_PIN' && ln -sf $venv/bin/moto_server $bindir/moto_server" >&2
    exit 1
  fi
  command -v moto_server >/dev/null 2>&1 || echo "setup: add $bindir to PATH so the tests find moto_server" >&2
fi
