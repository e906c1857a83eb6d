"""Tenant input: hosts are host names (punycode when internationalised), slugs never name a role."""

from __future__ import annotations

import pytest
from django.db import connection

from parlor.base.errors import ValidationFailed
from tenants.validators import normalise_origin, validate_domain, validate_name, validate_slug


@pytest.mark.parametrize(
    "origin",
    [
        "http://*.evil.com",
        "http://exa mple.com",
        "https://shop.example%2F",
        "https://-bad.example",
        "https://a..b",
        "https://[zz::1]",
        "https://" + "a" * 64 + ".example",
        "https://" + ".".join(["abc"] * 70),
        "https://bad\u0000host.example",
    ],
)
def test_origins_that_are_not_host_names_are_refused(origin):
    with pytest.raises(ValidationFailed) as refused:
        normalise_origin(origin)
    assert "\n" not in refused.value.detail and len(refused.value.detail) < 200


@pytest.mark.parametrize(
    ("origin", "stored"),
    [
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("HTTPS://Shop.Example:443", "https://shop.example"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("http://[::1]:8001", "http://[::1]:8001"),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
    ],
)
def test_origins_are_stored_as_browsers_send_them(origin, stored):
    assert normalise_origin(origin) == stored


def test_an_internationalised_domain_is_stored_as_punycode():
    assert validate_domain("Bücher.Example") == "xn--bcher-kva.example"


@pytest.mark.parametrize("domain", ["a" * 300, ("a" * 60 + ".") * 5 + "com", "*.evil.com", "a b"])
def test_over_long_or_malformed_domains_are_refused_in_one_short_line(domain):
    with pytest.raises(ValidationFailed) as refused:
        validate_domain(domain)
    assert len(refused.value.detail) < 200


@pytest.mark.django_db
def test_slugs_naming_a_database_role_are_reserved():
    for slug in ("postgres", "parlor", connection.settings_dict["USER"]):
        with pytest.raises(ValidationFailed, match="reserved"):
            validate_slug(slug)


@pytest.mark.parametrize("name", ["", "   ", "x" * 5000, "a\x00b", "a\ud800"])
def test_bad_names_are_refused_in_one_short_line(name):
    with pytest.raises(ValidationFailed) as refused:
        validate_name(name)
    assert len(refused.value.detail) < 200
