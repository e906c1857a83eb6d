"""No function of the widget's JavaScript grows past one screen (about 60 lines)."""

from __future__ import annotations

from pathlib import Path

from widget.tests.function_length import functions, longest

SOURCE_DIR = Path(__file__).resolve().parents[1] / "src"
MAX_LINES = 60


def test_no_function_in_widget_src_is_longer_than_60_lines():
    paths = sorted(SOURCE_DIR.glob("*.js"))
    assert paths
    too_long = [
        f"{path.name}:{found.first_line} {found.name} ({found.length} lines)"
        for path, found in longest(paths)
        if found.length > MAX_LINES
    ]
    assert too_long == [], "split these into smaller functions: " + "; ".join(too_long)


def test_the_scanner_measures_declarations_methods_and_arrows():
    body = "\n".join(f"  step{n}();" for n in range(61))
    source = f"""
export function long(a) {{
{body}
}}
class Box {{
  method(x) {{
    if (x) {{ return "{{"; }}
    return `${{x}}}}`;
  }}
}}
const arrow = () => {{
  const re = /[{{]/;
}};
"""
    found = {f.name: f.length for f in functions(source)}
    assert found == {"export function long(a)": 63, "method(x)": 4, "const arrow = () =>": 3}


def test_the_scanner_ignores_braces_in_strings_comments_and_regexes():
    source = 'function a() {\n  // }\n  const s = "}}";\n  /* } */\n  return /\\}/.test(s);\n}\n'
    assert [(f.name, f.length) for f in functions(source)] == [("function a()", 6)]
