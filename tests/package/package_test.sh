#!/usr/bin/env bash
# The Debian package, as a user gets it: cpack builds it from the build dir; its control fields declare the
# shared libraries it needs (apt resolves them here, a Debian 12 machine); extracted into a scratch root, its
# lambda-mcp runs `version` (the same commit as the build) and `local` finds its runtimes and examples under
# that root's share/, not in the source tree. (The Dockerfile's runtime stage installs this package with apt;
# its other steps are checked by dockerfile_check.py.)
set -euo pipefail
: "${LMCP_BUILD_DIR:?set by CTest}" "${LMCP_SOURCE_DIR:?set by CTest}" "${LMCP_BIN:?set by CTest}"
for tool in cpack dpkg-deb dpkg-shlibdeps apt-get; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
work="$(mktemp -d "${TMPDIR:-/tmp}/lmcp-package.XXXXXX")"
local_pid=""
trap '[ -n "$local_pid" ] && kill "$local_pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$LMCP_BUILD_DIR" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack"; }
deb="$(ls "$work"/out/lambda-mcp_*.deb)"
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) kB"

depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
for lib in libc6 libstdc++6 libssl3 ca-certificates; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib"
done
# Every declared dependency resolves on this Debian 12 (a simulated install: nothing changes).
apt-get install -s "$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt-get cannot install it"; }
grep -q "^Inst lambda-mcp\|lambda-mcp is already" "$work/apt.log" || { cat "$work/apt.log" >&2; fail "apt plan"; }

dpkg-deb --contents "$deb" >"$work/contents"
for path in ./usr/bin/lambda-mcp ./usr/share/lambda-mcp/runtimes/python_bootstrap.py \
            ./usr/share/lambda-mcp/runtimes/node_bootstrap.js ./usr/share/lambda-mcp/examples/template.yaml \
            ./usr/share/doc/lambda-mcp/LICENSE; do
  grep -q " $path\$" "$work/contents" || fail "the package lacks $path"
done

root="$work/root"
dpkg-deb -x "$deb" "$root"
installed="$("$root/usr/bin/lambda-mcp" version)"
built="$("$LMCP_BIN" version)"
[ "$installed" = "$built" ] || fail "installed '$installed' != built '$built'"
[ "$("$root/usr/bin/lambda-mcp" --version)" = "$installed" ] || fail "--version and version disagree"
[[ "$installed" =~ ^lambda-mcp\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ [0-9a-f]{12}(-dirty)?\)$ ]] ||
  fail "version line '$installed'"
echo "installed: $installed"

# Relocated: the runtimes come from the scratch root. The samples need python3 and node.
env -u LMCP_RUNTIMES_DIR "$root/usr/bin/lambda-mcp" local --template "$root/usr/share/lambda-mcp/examples/template.yaml" \
  --port 0 >"$work/local.out" 2>"$work/local.err" &
local_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/local.out" && break
  kill -0 "$local_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q "listening on" "$work/local.out" || { cat "$work/local.err" >&2; fail "local did not start from the package"; }
grep -q "runtime bootstraps from $root/usr/share/lambda-mcp/runtimes" "$work/local.err" ||
  { cat "$work/local.err" >&2; fail "local took its runtimes from elsewhere than the package"; }
echo "local: serves from $root/usr/share/lambda-mcp"
echo "PASS"
