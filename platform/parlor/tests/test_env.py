"""The README's configuration table names every environment variable Parlor reads, and no more."""

from __future__ import annotations

import re

from parlor.env import REPO_ROOT

# Every read goes through parlor.env: env.get("NAME"), env.get_bool(...), get_int, get_list;
# inside parlor/env.py itself the calls are bare: get("NAME").
READ = re.compile(r"\benv\.get(?:_bool|_int|_list)?\(\s*\"([A-Z][A-Z0-9_]*)\"")
READ_IN_ENV = re.compile(r"(?<![.\w])get(?:_bool|_int|_list)?\(\s*\"([A-Z][A-Z0-9_]*)\"")
ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \|", re.MULTILINE)
# Read by Django itself rather than through parlor.env.
READ_BY_DJANGO = {"DJANGO_SETTINGS_MODULE"}


def names_read_by_the_code() -> set[str]:
    sources = [*(REPO_ROOT / "platform").rglob("*.py"), *(REPO_ROOT / "tenants").rglob("*.py")]
    names: set[str] = set()
    for source in sources:
        if "tests" in source.parts or "testing" in source.parts:
            continue
        pattern = READ_IN_ENV if source.name == "env.py" else READ
        names |= set(pattern.findall(source.read_text()))
    return names


def names_in_the_readme() -> set[str]:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(ROW.findall(section))


def test_every_variable_the_code_reads_is_in_the_readme_table():
    assert names_read_by_the_code() - names_in_the_readme() == set()


def test_the_readme_table_names_no_variable_the_code_does_not_read():
    assert names_in_the_readme() - READ_BY_DJANGO - names_read_by_the_code() == set()


def test_the_scanner_finds_reads_in_parlor_env_itself():
    # A guard against a scanner that finds nothing and so passes both tests above.
    assert {"DATABASE_URL", "PARLOR_DATA_DIR", "SECRET_KEY"} <= names_read_by_the_code()
