#!/usr/bin/env bash
# clang-format and clang-tidy over our own sources (src/, tests/, fuzz/, bench/; files git tracks or would track,
# so never node_modules or build dirs), with the repo's .clang-format and .clang-tidy.
#
#   scripts/lint.sh --check [-j N] [-p DB_DIR] [--format-only|--tidy-only] [PATH...]
#       Exit 1 with one `file:line:col: ... [check]` line a finding when anything is off, then a count per kind.
#   scripts/lint.sh --fix [-j N] [-p DB_DIR] [--format-only|--tidy-only] [PATH...]
#       Applies clang-tidy's fixes for readability-braces-around-statements only, then clang-format -i, and lists
#       the other findings (they want a person). Running it twice changes nothing the second time.
#   PATH...: only our files under these paths (and, for clang-tidy, the headers of ours their units include).
#   --since REV: clang-tidy only on the units that include (transitively) a file that differs from commit REV
#       (committed since, or changed in the work tree), or on every unit when .clang-tidy differs or REV is not
#       a commit here. `make test` checks this way from tests/lint/tidy-baseline, the last commit every unit was
#       found clean on (`make lint` checks every unit and says when to move it).
#
# clang-tidy reads DB_DIR/compile_commands.json. DB_DIR (default build-lint) is configured here, never built:
# every target on (tests, benchmarks, fuzz replays), so every translation unit of ours has its real flags.
# Translation units run in parallel (-j, default nproc); a header is checked through the units that include it.
# --check keeps each unit's clang-tidy output in DB_DIR/tidy-cache, keyed by the unit, the files of ours it
# includes, its flags, .clang-tidy and the clang-tidy version (scripts/lint_units.py), so a rerun checks only
# the units a change touched.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

mode=""
jobs=$(nproc)
db_dir=build-lint
run_format=1
run_tidy=1
since=""
paths=()
while [ $# -gt 0 ]; do
  case "$1" in
    --check | --fix) mode=${1#--} ;;
    -j) jobs=$2; shift ;;
    -p) db_dir=$2; shift ;;
    --format-only) run_tidy=0 ;;
    --since) since=$2; shift ;;
    --tidy-only) run_format=0 ;;
    -*) echo "usage: $0 --check|--fix [-j N] [-p DB_DIR] [--format-only|--tidy-only] [--since REV] [PATH...]" >&2; exit 2 ;;
    *) paths+=("$1") ;;
  esac
  shift
done
[ -n "$mode" ] || { echo "usage: $0 --check|--fix [-j N] [-p DB_DIR] [--format-only|--tidy-only] [--since REV] [PATH...]" >&2; exit 2; }

CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
CLANG_TIDY=${CLANG_TIDY:-clang-tidy}
APPLY=${CLANG_APPLY_REPLACEMENTS:-clang-apply-replacements}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Our sources: tracked or untracked-but-not-ignored files under the four source roots.
git ls-files --cached --others --exclude-standard -- src tests fuzz bench |
  grep -E '\.(cc|h)$' | grep -v -e '/node_modules/' -e '^build' | sort -u >"$work/all_files"
if [ "${#paths[@]}" -gt 0 ]; then
  git ls-files --cached --others --exclude-standard -- "${paths[@]}" | grep -Fx -f - "$work/all_files" \
    >"$work/files" || true
else
  cp "$work/all_files" "$work/files"
fi
grep -E '\.cc$' "$work/files" >"$work/units" || true

# The compile database: configure (not build) a tree with every target on.
configure_db() {
  if [ ! -f "$db_dir/compile_commands.json" ] || [ -n "$(find CMakeLists.txt cmake src tests fuzz bench \
       \( -name 'CMakeLists.txt' -o -name '*.cmake' \) -newer "$db_dir/compile_commands.json" -print -quit)" ]; then
    cmake -S . -B "$db_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLMCP_UNITY=OFF -DLMCP_BENCH=ON -DLMCP_E2E=ON \
      -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$work/configure.log" 2>&1 ||
      { cat "$work/configure.log" >&2; echo "lint: configuring $db_dir failed" >&2; exit 2; }
  fi
}

# tidy_unit FILE KEY: clang-tidy over one unit; its output goes to $work/tidy/<FILE with / as _>.out. Run by
# xargs. With a cache dir, an output is kept under its key and reused while the key is the same.
# The product's units get every check of .clang-tidy; test, fuzz and benchmark units get $test_checks, the
# braces only: the bugprone set doubles clang-tidy's time on a unit (most of it matching inside gtest and
# nlohmann/json), and `make test` has a budget.
tidy_unit() {
  local out="$work/tidy/${1//\//_}.out"
  if [ -n "$cache" ] && [ -f "$cache/$2.out" ]; then
    cp "$cache/$2.out" "$out" && touch "$cache/$2.out"
    return
  fi
  local rc=0 checks=$tidy_checks
  if [ -z "$checks" ] && [[ "$1" =~ (^|/)(tests|fuzz|bench)/|_test\.cc$ ]]; then
    checks=$test_checks
  fi
  "$CLANG_TIDY" -p "$work/db" --quiet ${checks:+--checks="$checks"} \
    ${fixes:+--export-fixes="$fixes/${1//\//_}.yaml"} --extra-arg=-Wno-unknown-warning-option \
    --extra-arg=-Wno-error "$1" >"$out" 2>&1 || rc=$?
  if [ "$rc" -ge 128 ]; then
    echo "$1:1:1: error: clang-tidy ended by signal $((rc - 128)) [clang-tidy-crash]" >>"$out"
  fi
  if [ -n "$cache" ]; then cp "$out" "$cache/$2.out.tmp" && mv "$cache/$2.out.tmp" "$cache/$2.out"; fi
}

# tidy_units: tidy_unit over every unit of ours that the database has, in parallel, through a database of our
# units only, each once (a file built into several targets, like the fuzz replay main, is checked once).
tidy_units() {
  configure_db
  mkdir -p "$work/db" "$work/tidy"
  local salt
  salt="$("$CLANG_TIDY" --version | tr '\n' ' ') $(sha256sum .clang-tidy) checks=$tidy_checks tests=$test_checks"
  local changed=""
  if [ -n "$since" ]; then
    if ! git rev-parse -q --verify "$since^{commit}" >/dev/null; then
      echo "lint: $since is not a commit here; clang-tidy on every unit" >&2
    elif ! git diff --quiet "$since" -- .clang-tidy; then
      echo "lint: .clang-tidy differs from $since; clang-tidy on every unit" >&2
    else
      changed="$work/changed"
      { git diff --name-only "$since" --; git ls-files --others --exclude-standard; } | sort -u >"$changed"
    fi
  fi
  python3 scripts/lint_units.py "$db_dir/compile_commands.json" "$work/units" "$work/db/compile_commands.json" \
    "$salt" ${changed:+"$changed"} >"$work/db_units"
  if [ -n "$changed" ]; then
    echo "lint: clang-tidy on $(grep -c '^IN ' "$work/db_units") of $(grep -c -e '^IN ' -e '^SKIP ' \
      "$work/db_units") units (those a change since $since reaches)" >&2
  fi
  if grep -q '^OUT ' "$work/db_units"; then
    echo "lint: not in $db_dir/compile_commands.json, so not seen by clang-tidy:" >&2
    sed -n 's/^OUT /  /p' "$work/db_units" >&2
  fi
  export CLANG_TIDY work tidy_checks test_checks cache fixes
  export -f tidy_unit
  sed -n 's/^IN //p' "$work/db_units" | xargs -r -P "$jobs" -L 1 bash -c 'tidy_unit "$1" "$2"' _
  if [ -n "$cache" ]; then
    # Keep only what this run used, so the cache stays the size of one run.
    find "$cache" -name '*.out' ! -newer "$work/db_units" -delete
  fi
}

tidy_checks=""
test_checks="-*,readability-braces-around-statements"
fixes=""
cache=""

# report: the findings in the units' outputs ($work/tidy) and in $work/findings, once each, sorted, with a count
# per check. Returns 1 when there are any.
report() {
  cat "$work"/tidy/*.out 2>/dev/null | grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): .*\[[A-Za-z0-9.,-]+\]$' |
    sed "s#^$ROOT/##" >>"$work/findings" || true
  sort -u -t: -k1,1 -k2,2n -k3,3n "$work/findings" >"$work/sorted"
  if [ ! -s "$work/sorted" ]; then
    return 0
  fi
  cat "$work/sorted"
  echo "lint: $(wc -l <"$work/sorted") findings$1:" >&2
  sed -E 's/.*\[([^]]+)\]$/\1/' "$work/sorted" | sort | uniq -c | sort -rn >&2
  return 1
}

: >"$work/findings"
if [ "$mode" = fix ]; then
  if [ "$run_tidy" = 1 ]; then
    # One pass with every check of .clang-tidy. Each unit exports its fixes; only the braces fixes are kept
    # (the others want a person, and are listed at the end), and clang-apply-replacements merges them, so a
    # header that many units include is edited once.
    fixes="$work/fixes"
    mkdir -p "$fixes"
    tidy_units
    python3 - "$fixes" >"$work/braced" <<'PY'
import os, re, sys
for name in os.listdir(sys.argv[1]):
    path = os.path.join(sys.argv[1], name)
    text = open(path, encoding="utf-8").read()
    head, sep, rest = text.partition("Diagnostics:\n")
    if not sep:
        continue
    rest = rest.rstrip()
    if rest.endswith("..."):
        rest = rest[:-3]
    blocks = re.split(r"(?m)^(?=  - DiagnosticName:)", rest)
    kept = [b for b in blocks if b.startswith("  - DiagnosticName:  readability-braces-around-statements\n")]
    for b in kept:
        where = re.search(r"(?m)^      FilePath:\s+'?([^'\n]*)'?\n      FileOffset:\s+(\d+)", b)
        print(f"{where.group(1)}:{where.group(2)}" if where else b)
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + sep + "".join(kept) + "...\n" if kept else head + "Diagnostics:     []\n...\n")
PY
    "$APPLY" "$fixes"
    echo "lint: braces added to $(sort -u "$work/braced" | wc -l) bodies" >&2
  fi
  if [ "$run_format" = 1 ]; then
    xargs -P "$jobs" -n 16 "$CLANG_FORMAT" -i <"$work/files"
  fi
  mkdir -p "$work/tidy"
  grep -hv '\[readability-braces-around-statements\]$' "$work"/tidy/*.out >"$work/rest.out" 2>/dev/null || true
  rm -f "$work"/tidy/*.out
  mv "$work/rest.out" "$work/tidy/rest.out"
  report " left for a person (line numbers from before the fix)" || true
  exit 0
fi

# --check
if [ "$run_format" = 1 ]; then
  xargs -n 32 "$CLANG_FORMAT" --dry-run <"$work/files" 2>&1 |
    grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): ' | sed 's/ \[-Wclang-format-violations\]$/ [clang-format]/' \
    >>"$work/findings" || true
fi
if [ "$run_tidy" = 1 ]; then
  cache="$db_dir/tidy-cache"
  mkdir -p "$cache"
  tidy_units
fi
if report ""; then
  echo "lint: clean ($(wc -l <"$work/files") files)" >&2
  exit 0
fi
exit 1
