#!/usr/bin/env bash
# scripts/lint.sh on a fixture repository (a temp git tree with the repo's .clang-format and .clang-tidy):
# --check lists brace-less bodies, format drift and a bugprone finding as file:line and fails; a test unit gets
# the braces check only; --fix leaves only the bugprone finding (which wants a person), is idempotent, and its
# output still compiles; ignored dirs (node_modules, build dirs) are never read.
set -euo pipefail
SOURCE=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cd "$tmp"
mkdir -p scripts src/a tests/node_modules/pkg
cp "$SOURCE/scripts/lint.sh" "$SOURCE/scripts/lint_units.py" scripts/
cp "$SOURCE/.clang-format" "$SOURCE/.clang-tidy" "$SOURCE/.gitignore" .
cat >CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(fixture CXX)
set(CMAKE_CXX_STANDARD 20)
add_library(fixture STATIC src/a/a.cc src/a/b.cc src/a/c.cc src/a/d_test.cc)
target_include_directories(fixture PRIVATE src)
EOF
cat >src/a/a.h <<'EOF'
#pragma once
inline int Clamp(int x) {
  if (x > 9) return 9;
  return x;
}
int Sign(int x);
EOF
cat >src/a/a.cc <<'EOF'
#include "a/a.h"

int Sign(int x) {
  if (x < 0)
    return -1;
  else if (x == 0)
    return 0;
  for (int i = 0; i < x; ++i) x -= 1;
  return   Clamp(x) + 1;
}
EOF
cat >src/a/b.cc <<'EOF'
#include "a/a.h"

#include <cstring>

int Twice(int x) { return 2 * Clamp(x); }
bool Same(const char* a, const char* b) {
  if (std::strcmp(a, b)) {
    return false;
  }
  return true;
}
EOF
# Clean itself; its cached clang-tidy output must not outlive the fix of the header it includes.
cat >src/a/c.cc <<'EOF'
#include "a/a.h"

int Thrice(int x) { return 3 * Clamp(x); }
EOF
# A test unit: its brace-less if counts, the bugprone finding on the same line does not.
cat >src/a/d_test.cc <<'EOF'
#include <cstring>

bool Differ(const char* a, const char* b) {
  if (std::strcmp(a, b)) return true;
  return false;
}
EOF
# Never read: an ignored dependency dir under a source root.
echo 'int f(int x) { if (x) return 1; return 0; }' >tests/node_modules/pkg/dep.cc
git init -q . && git add -A

set +e
scripts/lint.sh --check -j 2 >check1.out 2>check1.err
rc=$?
set -e
cat check1.out check1.err
[ "$rc" -eq 1 ] || fail "--check on a tree with findings exited $rc, want 1"
grep -q '^src/a/a.h:3:.*\[readability-braces-around-statements\]$' check1.out || fail "header's brace-less if"
grep -q '^src/a/a.cc:4:.*\[readability-braces-around-statements\]$' check1.out || fail "brace-less if"
grep -q '^src/a/a.cc:8:.*\[readability-braces-around-statements\]$' check1.out || fail "brace-less for"
grep -q '^src/a/a.cc:9:.*\[clang-format\]$' check1.out || fail "format drift"
grep -q '^src/a/b.cc:7:.*\[bugprone-suspicious-string-compare\]$' check1.out || fail "bugprone finding"
grep -q '^src/a/d_test.cc:4:.*\[readability-braces-around-statements\]$' check1.out || fail "test unit's braces"
grep -q '^src/a/d_test.cc:.*bugprone' check1.out && fail "a test unit got the bugprone set"
[ "$(grep -c '^src/a/a.h:3:' check1.out)" -eq 1 ] || fail "a header finding seen by three units is listed once"
ls build-lint/tidy-cache/*.out >/dev/null || fail "--check kept no clang-tidy outputs"
scripts/lint.sh --check -j 2 >check1b.out 2>/dev/null && fail "a cached --check passed"
cmp check1.out check1b.out || fail "a cached --check differs from the first"
sha1sum src/a/c.cc >c.sum
if grep -q node_modules check1.out; then fail "read an ignored dir"; fi

scripts/lint.sh --fix -j 2 >fix1.out 2>&1 || { cat fix1.out; fail "--fix failed"; }
cat fix1.out
grep -q '^lint: braces added to 5 bodies$' fix1.out || fail "--fix should count 5 braced bodies, each once"
grep -q '^src/a/b.cc:7:.*\[bugprone-suspicious-string-compare\]$' fix1.out || fail "--fix did not list what is left"
grep -q 'braces-around' fix1.out && fail "--fix listed a braces finding it fixed"
grep -q 'if (x > 9) {' src/a/a.h || fail "--fix did not brace the header"
[ "$(grep -c 'if (x > 9)' src/a/a.h)" -eq 1 ] || fail "--fix edited the header twice"
sha1sum src/a/* >after1.sum
scripts/lint.sh --fix -j 2 >fix2.out 2>&1 || { cat fix2.out; fail "second --fix failed"; }
sha1sum -c --quiet after1.sum || fail "--fix is not idempotent"
sha1sum -c --quiet c.sum || fail "--fix changed the clean c.cc"
[ "$(cat tests/node_modules/pkg/dep.cc)" = 'int f(int x) { if (x) return 1; return 0; }' ] || fail "--fix touched node_modules"

set +e
scripts/lint.sh --check -j 2 >check2.out 2>check2.err
rc=$?
set -e
cat check2.out
[ "$rc" -eq 1 ] || fail "the bugprone finding should still fail --check"
[ "$(wc -l <check2.out)" -eq 1 ] && grep -q 'bugprone-suspicious-string-compare' check2.out ||
  fail "after --fix only the bugprone finding should remain"

# --since REV: only the units a change since REV reaches (b.cc's finding is unseen until a.h changes); every
# unit when REV is unknown.
git add -A && git -c user.name=lint -c user.email=lint@localhost commit -qm base
scripts/lint.sh --check --tidy-only -j 2 --since HEAD >since1.out 2>since1.err ||
  { cat since1.out since1.err; fail "--since HEAD with nothing changed should check no unit"; }
grep -q 'clang-tidy on 0 of 4 units' since1.err || { cat since1.err; fail "--since HEAD: the count of units"; }
echo '// a comment' >>src/a/a.h
set +e
scripts/lint.sh --check --tidy-only -j 2 --since HEAD >since2.out 2>since2.err
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q '^src/a/b.cc:7:.*bugprone' since2.out || { cat since2.out since2.err; fail "--since after a.h changed"; }
grep -q 'clang-tidy on 3 of 4 units' since2.err || { cat since2.err; fail "a.h reaches a.cc, b.cc, c.cc"; }
set +e
scripts/lint.sh --check --tidy-only -j 2 --since no-such-rev >since3.out 2>since3.err
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q 'not a commit here; clang-tidy on every unit' since3.err || { cat since3.err; fail "--since no-such-rev"; }
git checkout -q src/a/a.h

for f in src/a/a.cc src/a/b.cc src/a/c.cc src/a/d_test.cc; do c++ -std=c++20 -fsyntax-only -Isrc "$f" || fail "$f does not compile after --fix"; done
echo "lint_test: ok"
