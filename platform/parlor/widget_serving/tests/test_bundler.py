"""The widget bundler: dependency order, one shared scope checked for collisions, clear errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from parlor.widget_serving.bundler import BundleError, bundle, compact


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_modules_come_before_their_importers_and_module_syntax_is_gone(tmp_path):
    write(tmp_path, "a.js", "/** A. */\nexport function hello() {\n  return 'hi';\n}\n")
    write(
        tmp_path,
        "b.js",
        'import { hello } from "./a.js";\nexport const shout = () => hello() + "!";\n',
    )
    entry = write(
        tmp_path, "main.js", 'import { shout } from "./b.js";\nglobalThis.out = shout();\n'
    )
    script = bundle(entry)
    assert script.index("function hello") < script.index("const shout") < script.index("out =")
    assert "import" not in script
    assert "export" not in script
    assert "/** A. */" not in script


def test_the_bundle_runs(tmp_path):
    node = __import__("shutil").which("node")
    if node is None:
        pytest.skip("node is not installed")
    write(tmp_path, "a.js", "export function twice(x) {\n  return 2 * x;\n}\n")
    entry = write(tmp_path, "main.js", 'import { twice } from "./a.js";\nconsole.log(twice(21));\n')
    out = subprocess.run([node, "-e", bundle(entry)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "42"


def test_two_modules_declaring_the_same_name_are_refused(tmp_path):
    write(tmp_path, "a.js", "export const a = 1;\nfunction helper() {}\n")
    entry = write(tmp_path, "main.js", 'import { a } from "./a.js";\nfunction helper() {}\n')
    with pytest.raises(BundleError, match="both declare 'helper'"):
        bundle(entry)


def test_importing_a_name_that_is_not_exported_is_refused(tmp_path):
    write(tmp_path, "a.js", "const hidden = 1;\n")
    entry = write(tmp_path, "main.js", 'import { hidden } from "./a.js";\n')
    with pytest.raises(BundleError, match="does not export"):
        bundle(entry)


def test_unsupported_module_syntax_is_refused(tmp_path):
    entry = write(tmp_path, "main.js", "export default 1;\n")
    with pytest.raises(BundleError, match="unsupported module syntax"):
        bundle(entry)


def test_import_cycles_are_refused(tmp_path):
    write(tmp_path, "a.js", 'import { b } from "./b.js";\nexport const a = 1;\n')
    write(tmp_path, "b.js", 'import { a } from "./a.js";\nexport const b = 1;\n')
    with pytest.raises(BundleError, match="import cycle"):
        bundle(tmp_path / "a.js")


def test_compact_keeps_code_and_strings():
    source = (
        '  // note\n  /**\n   * doc\n   */\n  const url = "https://x.example//y";\n\n\n  f();\n'
    )
    assert compact(source) == 'const url = "https://x.example//y";\nf();\n'
