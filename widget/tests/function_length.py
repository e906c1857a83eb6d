"""A small scanner of the widget's JavaScript: where each function starts and ends.

It understands just enough JavaScript for widget/src: strings, template literals (with
`${}`), comments and regular-expression literals are skipped, and a `{` opens a function body
when it follows `=>` or a parameter list that does not belong to if/for/while/switch/catch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

NOT_FUNCTIONS = {"if", "for", "while", "switch", "catch", "with"}
REGEX_MAY_FOLLOW = set("(,=:[!&|?{};+-*%<>~^") | {""}
WORD_BEFORE_PAREN = re.compile(r"([A-Za-z_$][\w$]*)\s*$")
KEYWORD_BEFORE_REGEX = re.compile(
    r"(?<![\w$])(?:return|typeof|case|in|of|else|do|void|yield|await)\s*$"
)


@dataclass(frozen=True)
class Function:
    """One function of a source file: its name (as written before it) and its line span."""

    name: str
    first_line: int
    last_line: int

    @property
    def length(self) -> int:
        """Lines from the opening line to the closing brace, both included."""
        return self.last_line - self.first_line + 1


def functions(source: str) -> list[Function]:
    """Return every function (declaration, method or arrow with a block body) in `source`."""
    code = _blank_out(source)
    found = []
    stack: list[tuple[int, str | None]] = []
    for index, char in enumerate(code):
        if char == "{":
            stack.append((index, _function_name(code, index)))
        elif char == "}" and stack:
            start, name = stack.pop()
            if name is not None:
                first = code.count("\n", 0, start) + 1
                found.append(Function(name, first, code.count("\n", 0, index) + 1))
    return found


def _function_name(code: str, brace: int) -> str | None:
    before = code[:brace].rstrip()
    line = before[before.rfind("\n") + 1 :].strip()
    if before.endswith("=>"):
        return line or "(arrow)"
    if not before.endswith(")"):
        return None
    opening = _matching_paren(before, len(before) - 1)
    word = WORD_BEFORE_PAREN.search(before[:opening])
    if word and word.group(1) in NOT_FUNCTIONS:
        return None
    return line


def _matching_paren(text: str, closing: int) -> int:
    depth = 0
    for index in range(closing, -1, -1):
        if text[index] == ")":
            depth += 1
        elif text[index] == "(":
            depth -= 1
            if depth == 0:
                return index
    return 0


def _blank_out(source: str) -> str:
    """Return `source` with the insides of strings, comments and regexes replaced by spaces
    (newlines kept, so line numbers hold); `${...}` code inside template literals is kept."""
    out = list(source)
    index, length = 0, len(source)
    templates: list[int] = []  # brace depth at which each open `${` resumes its template
    depth = 0
    last = ""
    while index < length:
        char = source[index]
        pair = source[index : index + 2]
        if pair == "//":
            end = source.find("\n", index)
            end = length if end == -1 else end
            _blank(out, index, end)
            index = end
            continue
        if pair == "/*":
            end = source.find("*/", index + 2) + 2
            end = length if end == 1 else end
            _blank(out, index, end)
            index = end
            continue
        if char in "'\"":
            end = _string_end(source, index, char)
            _blank(out, index + 1, end - 1)
            index, last = end, "a"
            continue
        if char == "`" or (char == "}" and templates and templates[-1] == depth):
            if char == "}":
                templates.pop()
            index = _template_part(source, out, index + 1, templates, depth)
            last = "a"
            continue
        if char == "/" and (
            last in REGEX_MAY_FOLLOW or KEYWORD_BEFORE_REGEX.search(source, 0, index)
        ):
            end = _regex_end(source, index)
            _blank(out, index + 1, end - 1)
            index, last = end, "a"
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        if not char.isspace():
            last = char
        index += 1
    return "".join(out)


def _template_part(source: str, out: list[str], index: int, templates: list[int], depth: int):
    start = index
    while index < len(source):
        if source[index] == "\\":
            index += 2
            continue
        if source[index] == "`":
            _blank(out, start, index)
            return index + 1
        if source.startswith("${", index):
            _blank(out, start, index)
            templates.append(depth)
            return index + 2
        index += 1
    return index


def _string_end(source: str, index: int, quote: str) -> int:
    index += 1
    while index < len(source) and source[index] != quote:
        index += 2 if source[index] == "\\" else 1
    return index + 1


def _regex_end(source: str, index: int) -> int:
    index += 1
    in_class = False
    while index < len(source) and source[index] != "\n":
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            return index + 1
        index += 1
    return index


def _blank(out: list[str], start: int, end: int) -> None:
    for position in range(start, min(end, len(out))):
        if out[position] != "\n":
            out[position] = " "


def longest(paths: list[Path]) -> list[tuple[Path, Function]]:
    """Return every function of `paths`, longest first."""
    every = [(path, f) for path in paths for f in functions(path.read_text(encoding="utf-8"))]
    return sorted(every, key=lambda pair: -pair[1].length)
