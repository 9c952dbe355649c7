#!/usr/bin/env python3
"""The layering check: every file in src/<layer>/ includes only its own layer and the layers below it.

The rule is read from docs/design.md, so the document and the check cannot drift:
  - the "## Layers" table: a row per layer, its `links` column naming the layers directly below it
    ("—" for none, "all" for every other layer); "below" is the transitive closure of that column;
  - the sentence of that section that says which folders "never include" which headers: every backquoted
    `src/<layer>/` in it is a folder, every other backquoted word a header prefix those folders may not include.
The same rule is checked on links: `target_link_libraries(lmcp_<layer> ...)` in src/<layer>/CMakeLists.txt names
only lmcp_<below> libraries. A src/ file may include "tests/..." (the shared test helpers) only when its name says
it is a test file. Exit 0 when clean, 1 with a `file:line: ...` list when not, 2 when the rule cannot be read.

Usage: check_layers.py [--root DIR] [--design FILE]   (defaults: the repository this script is in, and
DIR/docs/design.md)
"""

import argparse
import os
import re
import sys

SOURCE_EXTENSIONS = (".h", ".hh", ".hpp", ".cc", ".cpp", ".inc", ".ipp")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
LINK_RE = re.compile(r"target_link_libraries\s*\(\s*lmcp_(\w+)\b([^)]*)\)", re.S)
BACKQUOTED_RE = re.compile(r"`([^`]+)`")


class RuleError(Exception):
    """docs/design.md does not state the rule in the form this check reads."""


def _cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _layers_section(text):
    match = re.search(r"^## Layers\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not match:
        raise RuleError('no "## Layers" section')
    return match.group(1)


def _sentences(section):
    """The prose of a section (tables left out) as sentences, each joined onto one line."""
    paragraphs = re.split(r"\n\s*\n", "\n".join(l for l in section.splitlines() if not l.strip().startswith("|")))
    for paragraph in paragraphs:
        yield from re.split(r"(?<=\.)\s+(?=[A-Z`])", " ".join(paragraph.split()))


def parse_rule(text):
    """Returns (order, links, forbidden): layers top to bottom as listed, layer -> set of direct links, and
    folder layer -> tuple of header prefixes it may not include."""
    section = _layers_section(text)
    rows = [line for line in section.splitlines() if line.strip().startswith("|")]
    if len(rows) < 3:
        raise RuleError("no table in the Layers section")
    header = [c.lower() for c in _cells(rows[0])]
    if "layer" not in header or "links" not in header:
        raise RuleError('the Layers table has no "layer" and "links" columns')
    layer_col, links_col = header.index("layer"), header.index("links")
    order, raw_links = [], {}
    for row in rows[2:]:
        cells = _cells(row)
        if len(cells) != len(header):
            raise RuleError(f"Layers table row has {len(cells)} cells, want {len(header)}: {row.strip()}")
        name = cells[layer_col].strip("`")
        if not re.fullmatch(r"[a-z_]+", name):
            raise RuleError(f"not a layer name: {cells[layer_col]!r}")
        order.append(name)
        raw_links[name] = cells[links_col]
    links = {}
    for name, cell in raw_links.items():
        cell = cell.strip()
        if cell in ("—", "-", ""):
            links[name] = set()
        elif cell == "all":
            links[name] = set(order) - {name}
        else:
            links[name] = {part.strip().strip("`") for part in cell.split(",")}
            unknown = links[name] - set(order)
            if unknown:
                raise RuleError(f"layer {name} links unknown layers: {', '.join(sorted(unknown))}")
    forbidden = {}
    for sentence in _sentences(section):
        if "never include" not in sentence:
            continue
        words = BACKQUOTED_RE.findall(sentence)
        folders = [w for w in words if re.fullmatch(r"src/[a-z_]+/", w)]
        prefixes = tuple(w for w in words if w not in folders)
        if not folders or not prefixes:
            continue
        for folder in folders:
            layer = folder[len("src/"):-1]
            if layer not in order:
                raise RuleError(f"the never-include rule names {folder}, which is not a layer")
            forbidden[layer] = forbidden.get(layer, ()) + prefixes
    if not forbidden:
        raise RuleError('no sentence in the Layers section says which `src/<layer>/` folders "never include" what')
    return order, links, forbidden


def below(links):
    """layer -> every layer it may use: itself and the transitive closure of its links. Raises on a cycle."""
    result = {}

    def visit(layer, path):
        if layer in path:
            raise RuleError("the links form a cycle: " + " -> ".join(path + [layer]))
        if layer not in result:
            allowed = {layer}
            for dep in links[layer]:
                allowed |= visit(dep, path + [layer])
            result[layer] = allowed
        return result[layer]

    for layer in links:
        visit(layer, [])
    return result


def _is_test_file(name):
    return "test" in name


def _include_target(src_dir, file_dir, path):
    """The include as a path from src/ (so its first part names a layer), resolving ./ and ../."""
    if path.startswith("./") or path.startswith("../"):
        resolved = os.path.normpath(os.path.join(file_dir, path))
        rel = os.path.relpath(resolved, src_dir)
        return rel if not rel.startswith("..") else path
    return path


def check_includes(root, order, allowed, forbidden):
    problems = []
    src_dir = os.path.join(root, "src")
    if not os.path.isdir(src_dir):
        raise RuleError(f"no src/ under {root}")
    for folder in sorted(os.listdir(src_dir)):
        layer_dir = os.path.join(src_dir, folder)
        if not os.path.isdir(layer_dir):
            continue
        if folder not in allowed:
            problems.append(f"src/{folder}/: a folder that the Layers table in docs/design.md does not list")
            continue
        for dirpath, dirnames, filenames in os.walk(layer_dir):
            dirnames.sort()
            for filename in sorted(filenames):
                if not filename.endswith(SOURCE_EXTENSIONS):
                    continue
                full = os.path.join(dirpath, filename)
                rel = os.path.relpath(full, root)
                with open(full, encoding="utf-8", errors="replace") as f:
                    lines = f.readlines()
                for number, line in enumerate(lines, 1):
                    match = INCLUDE_RE.match(line)
                    if not match:
                        continue
                    path = _include_target(src_dir, dirpath, match.group(2))
                    first = path.split("/", 1)[0] if "/" in path else ""
                    close = '"' if match.group(1) == '"' else ">"
                    where = f"{rel}:{number}: includes {match.group(1)}{match.group(2)}{close}"
                    if first in allowed and first not in allowed[folder]:
                        may = ", ".join(l for l in order if l in allowed[folder])
                        problems.append(f"{where}: {folder} may include only {may} (docs/design.md, Layers)")
                    elif first == "tests" and not _is_test_file(filename):
                        problems.append(f"{where}: only test files may include the test helpers")
                    for prefix in forbidden.get(folder, ()):
                        if path.startswith(prefix):
                            problems.append(f"{where}: src/{folder}/ never includes {prefix} "
                                            "(docs/design.md, Layers)")
    return problems


def check_links(root, order, allowed):
    problems = []
    for layer in order:
        cmake = os.path.join(root, "src", layer, "CMakeLists.txt")
        if not os.path.isfile(cmake):
            continue
        with open(cmake, encoding="utf-8") as f:
            text = f.read()
        for match in LINK_RE.finditer(text):
            if match.group(1) != layer:
                continue
            number = text.count("\n", 0, match.start()) + 1
            for lib in re.findall(r"\blmcp_(\w+)", match.group(2)):
                if lib not in allowed[layer]:
                    problems.append(f"src/{layer}/CMakeLists.txt:{number}: lmcp_{layer} links lmcp_{lib}, "
                                    f"which is not a layer below {layer} (docs/design.md, Layers)")
    return problems


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--design")
    args = parser.parse_args(argv)
    design = args.design or os.path.join(args.root, "docs", "design.md")
    try:
        with open(design, encoding="utf-8") as f:
            order, links, forbidden = parse_rule(f.read())
        allowed = below(links)
        problems = check_includes(args.root, order, allowed, forbidden) + check_links(args.root, order, allowed)
    except (RuleError, OSError) as e:
        print(f"check_layers: cannot read the rule: {e} ({design})", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_layers: {len(problems)} wrong-way dependencies", file=sys.stderr)
        return 1
    print(f"check_layers: clean ({len(order)} layers)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
