"""`createtenant` with hostile input: one line on stderr, no traceback, nothing stored as given."""

from __future__ import annotations

import json

import pytest

from tenants.tests.test_commands import manage

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["longname", "--name", "n" * 5000, "--domain", "ln.localhost"], "name must be 1 to 200"),
        (["longdomain", "--name", "A", "--domain", "d" * 60 + ".x" * 200], "not a valid host"),
        (["wild", "--name", "A", "--domain", "w.localhost", "--allowed-origin",
          "http://*.evil.com"], "invalid host"),
        (["spaced", "--name", "A", "--domain", "s.localhost", "--allowed-origin",
          "http://exa mple.com"], "invalid host"),
        (["postgres", "--name", "A", "--domain", "pg.localhost"], "reserved"),
        (["parlor", "--name", "A", "--domain", "pa.localhost"], "reserved"),
    ],
    ids=["5000-char-name", "long-domain", "wildcard-origin", "space-origin", "postgres", "parlor"],
)  # fmt: skip
def test_createtenant_refuses_hostile_input_in_one_line(args, message):
    result = manage("createtenant", *args)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert message in lines[0] and len(lines[0]) < 300
    assert "Traceback" not in result.stderr


def test_createtenant_stores_internationalised_hosts_as_punycode():
    result = manage(
        "createtenant", "idn_shop", "--name", "Bücher", "--domain", "bücher.localhost",
        "--allowed-origin", "https://bücher.example", "--json",
    )  # fmt: skip
    try:
        assert result.returncode == 0, result.stderr
        created = json.loads(result.stdout)
        assert created["domain"] == "xn--bcher-kva.localhost"
        assert created["allowed_origins"] == ["https://xn--bcher-kva.example"]
    finally:
        manage("deletetenant", "idn_shop", "--yes")
