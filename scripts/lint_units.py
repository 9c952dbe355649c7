#!/usr/bin/env python3
"""Helper of scripts/lint.sh: the clang-tidy work list.

Usage: lint_units.py DB_IN UNITS DB_OUT SALT [CHANGED]
Writes DB_OUT (compile_commands.json) with one entry per unit of ours that DB_IN has (a file built into several
targets is checked once), and prints a line per unit: `IN <path> <key>`, `OUT <path>` (not in DB_IN), or, when
CHANGED (a file of repository-relative paths) is given, `SKIP <path>` for a unit that includes none of them. The key
is a hash of SALT (tool version, config, checks), the unit's compile command, and the contents of the unit and of
every file of this repository it includes, transitively; lint.sh reuses a cached clang-tidy output while the
key is the same. System headers are not hashed: the SALT's clang-tidy version stands for them.
"""

import hashlib
import json
import os
import re
import shlex
import sys

INCLUDE_RE = re.compile(rb'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def include_dirs(entry):
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    dirs, i = [], 0
    while i < len(args):
        arg = args[i]
        for flag in ("-I", "-iquote", "-isystem"):
            if arg == flag and i + 1 < len(args):
                dirs.append(args[i + 1])
                i += 1
            elif arg.startswith(flag) and len(arg) > len(flag):
                dirs.append(arg[len(flag):])
        i += 1
    dirs = [os.path.realpath(os.path.join(entry["directory"], d)) for d in dirs]
    return [d for d in dirs if d == ROOT or d.startswith(ROOT + os.sep)]


def closure(path, dirs, seen):
    """Adds path and every repository file it includes, transitively, to seen."""
    if path in seen:
        return
    seen.add(path)
    with open(path, "rb") as f:
        text = f.read()
    for name in INCLUDE_RE.findall(text):
        name = name.decode("utf-8", "replace")
        for base in [os.path.dirname(path)] + dirs:
            candidate = os.path.realpath(os.path.join(base, name))
            if os.path.isfile(candidate):
                if candidate.startswith(ROOT + os.sep):
                    closure(candidate, dirs, seen)
                break


def main(db_in, units, db_out, salt, changed_list=None):
    changed = None
    if changed_list:
        with open(changed_list, encoding="utf-8") as f:
            changed = {os.path.realpath(os.path.join(ROOT, line.strip())) for line in f if line.strip()}
    entries = {}
    with open(db_in, encoding="utf-8") as f:
        for entry in json.load(f):
            entries.setdefault(os.path.realpath(os.path.join(entry["directory"], entry["file"])), entry)
    ours = []
    with open(units, encoding="utf-8") as f:
        paths = [line.strip() for line in f if line.strip()]
    for path in paths:
        entry = entries.get(os.path.realpath(path))
        if not entry:
            print("OUT " + path)
            continue
        seen = set()
        closure(os.path.realpath(path), include_dirs(entry), seen)
        if changed is not None and not seen & changed:
            print("SKIP " + path)
            continue
        ours.append(entry)
        digest = hashlib.sha256(salt.encode())
        digest.update(json.dumps(entry, sort_keys=True).encode())
        for dep in sorted(seen):
            digest.update(dep.encode() + b"\0")
            with open(dep, "rb") as f:
                digest.update(hashlib.sha256(f.read()).digest())
        print(f"IN {path} {digest.hexdigest()}")
    with open(db_out, "w", encoding="utf-8") as f:
        json.dump(ours, f, indent=0)


if __name__ == "__main__":
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    main(*sys.argv[1:])
