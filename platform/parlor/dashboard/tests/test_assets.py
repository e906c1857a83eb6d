"""The dashboard's CSS and JavaScript: served with their types, nothing outside their folder."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from parlor.dashboard.assets import STATIC_DIR

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.mark.parametrize(
    "name, content_type",
    [
        ("dashboard.css", "text/css"),
        ("transcript.js", "text/javascript"),
        ("connection.js", "text/javascript"),
    ],
)
def test_assets_are_served_with_their_type_and_revalidated(name, content_type):
    client = Client(HTTP_HOST="alpha.localhost")
    response = client.get(f"/dashboard/static/{name}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response.content == (STATIC_DIR / name).read_bytes()
    again = client.get(f"/dashboard/static/{name}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path", ["../views.py", "..%2Fviews.py", "nope.js", "%2e%2e%2f__init__.py", ".hidden.js"]
)
def test_nothing_else_is_served(path):
    response = Client().get(f"/dashboard/static/{path}")
    assert response.status_code == 404


def test_the_javascript_renders_text_only():
    for path in STATIC_DIR.glob("*.js"):
        source = path.read_text()
        assert not re.search(
            r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", source
        )
