"""The OpenAPI document: generated from the routes, complete, and served with a local reference."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver

from parlor.api.urls import urlpatterns
from parlor.env import REPO_ROOT

pytestmark = pytest.mark.usefixtures("live_db")


def schema() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def django_routes(patterns, prefix: str = "") -> set[str]:
    """Return every concrete route under /api/v1/ as an OpenAPI path (`{name}` parameters)."""
    routes = set()
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= django_routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern) and not route.startswith("^"):
            routes.add("/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", prefix + route))
    return routes


def test_every_api_route_django_resolves_is_in_the_schema():
    documented = set(schema()["paths"])
    # The schema itself, the reference page, its files and the root are not API endpoints.
    served = django_routes(urlpatterns) - {
        "/api/v1/openapi.json",
        "/api/v1/docs",
        "/api/v1/docs/assets/{name}",
        "/api/v1/",
    }
    assert len(served) >= 15
    assert served - documented == set()


def test_the_schema_is_openapi_3_1_with_bearer_auth_and_problem_errors():
    document = schema()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["SecretKeyAuth"]["scheme"] == "bearer"
    create = document["paths"]["/api/v1/webhooks"]["post"]
    assert create["security"] == [{"SecretKeyAuth": []}]
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert "requestBody" in document["paths"]["/api/v1/tokens"]["post"]


def test_the_reference_page_loads_only_local_files():
    page = Client().get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/api/v1/docs/assets/") for source in sources)
    for source in sources:
        assert Client().get(source).status_code == 200
    assert Client().get("/api/v1/docs/assets/..%2Fsettings.py").status_code == 404


def documented_curls() -> set[tuple[str, str]]:
    """Return (method, path) of every curl in docs/api.md's "Every endpoint with curl" block."""
    text = (REPO_ROOT / "docs" / "api.md").read_text()
    block = text.split("## Every endpoint with curl", 1)[1].split("```sh", 1)[1].split("```")[0]
    curls = set()
    for line in block.splitlines():
        if not line.startswith("curl "):
            continue
        method = re.search(r" -X (\w+)", line)
        path = re.search(r"\$P(/[^\s\"?]*)", line)
        assert path, line
        curls.add((method.group(1) if method else "GET", path.group(1)))
    return curls


def test_docs_api_md_has_a_curl_example_for_every_operation_in_the_schema():
    curls = documented_curls()
    missing = []
    for path, operations in schema()["paths"].items():
        pattern = re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")
        for method in operations:
            wanted = method.upper()
            if not any(m == wanted and pattern.match(p) for m, p in curls):
                missing.append(f"{wanted} {path}")
    assert missing == []
