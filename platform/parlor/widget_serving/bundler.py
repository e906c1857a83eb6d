"""A deliberately small ES-module bundler for the widget's own sources (no npm at runtime).

It supports exactly the subset widget/src uses: `import { a, b } from "./x.js";` and
`export` before a top-level declaration. Modules are concatenated in dependency order inside
one strict-mode function, so every top-level name must be unique across the bundle; the
bundler checks that instead of renaming.
"""

from __future__ import annotations

import re
from pathlib import Path

IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"(\./[^"]+\.js)";[ \t]*\n', re.MULTILINE)
EXPORT = re.compile(r"^export\s+(?=(?:async\s+)?function|const\s|let\s|class\s)", re.MULTILINE)
DECLARATION = re.compile(
    r"^(?:export\s+)?(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)",
    re.MULTILINE,
)
LEFTOVER_MODULE_SYNTAX = re.compile(r"^\s*(?:import|export)\b", re.MULTILINE)
BLOCK_COMMENT_LINE = re.compile(r"^[ \t]*/\*.*?\*/[ \t]*\n", re.MULTILINE | re.DOTALL)
LINE_COMMENT_LINE = re.compile(r"^[ \t]*//.*\n", re.MULTILINE)
INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
BLANK_LINES = re.compile(r"\n{2,}")


class BundleError(Exception):
    """The sources use module syntax this bundler does not support, or names collide."""


def bundle(entry: Path) -> str:
    """Return `entry` and the modules it imports as one classic script (an IIFE)."""
    modules = _in_dependency_order(entry.resolve())
    seen: dict[str, Path] = {}
    bodies = []
    for path, source in modules:
        body = _strip_module_syntax(path, source)
        for name in DECLARATION.findall(body):
            if name in seen:
                raise BundleError(
                    f"{path.name} and {seen[name].name} both declare '{name}' at top level;"
                    " rename one (the bundle shares one scope)."
                )
            seen[name] = path
        bodies.append(body)
    return compact('(() => {\n"use strict";\n' + "\n".join(bodies) + "\n})();\n")


def compact(script: str) -> str:
    """Drop comment-only lines, indentation and blank lines; code and strings are untouched."""
    script = BLOCK_COMMENT_LINE.sub("", script)
    script = LINE_COMMENT_LINE.sub("", script)
    script = INDENT.sub("", script)
    return BLANK_LINES.sub("\n", script)


def _in_dependency_order(entry: Path) -> list[tuple[Path, str]]:
    ordered: list[tuple[Path, str]] = []
    done: set[Path] = set()
    visiting: list[Path] = []

    def visit(path: Path) -> None:
        if path in done:
            return
        if path in visiting:
            chain = " -> ".join(p.name for p in [*visiting, path])
            raise BundleError(f"import cycle: {chain}")
        visiting.append(path)
        source = path.read_text(encoding="utf-8")
        for names, target in IMPORT.findall(source):
            dependency = (path.parent / target).resolve()
            _check_exports(path, dependency, names)
            visit(dependency)
        visiting.pop()
        done.add(path)
        ordered.append((path, source))

    visit(entry)
    return ordered


def _check_exports(importer: Path, module: Path, names: str) -> None:
    if not module.is_file():
        raise BundleError(f"{importer.name} imports {module.name}, which does not exist.")
    source = module.read_text(encoding="utf-8")
    exported = {
        match.group(1)
        for match in DECLARATION.finditer(source)
        if match.group(0).startswith("export")
    }
    for name in (part.strip() for part in names.split(",")):
        if not name:
            continue
        if not re.fullmatch(r"[A-Za-z_$][\w$]*", name):
            raise BundleError(f"{importer.name}: import '{name}' (renaming is not supported).")
        if name not in exported:
            raise BundleError(
                f"{importer.name} imports '{name}', which {module.name} does not export."
            )


def _strip_module_syntax(path: Path, source: str) -> str:
    body = EXPORT.sub("", IMPORT.sub("", source))
    leftover = LEFTOVER_MODULE_SYNTAX.search(body)
    if leftover:
        line = body[: leftover.start()].count("\n") + 1
        raise BundleError(f"{path.name}: unsupported module syntax near line {line}.")
    return body
