"""Serving the widget: gzip, ETag revalidation, caching, and nothing but the built assets."""

from __future__ import annotations

import gzip
import re

import pytest

from parlor.widget_serving.assets import widget_build
from parlor.widget_serving.views import accepts_gzip

pytestmark = pytest.mark.django_db


def test_widget_js_is_gzipped_when_accepted_and_cached_briefly(client):
    response = client.get("/widget.js", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Vary"] == "Accept-Encoding"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert gzip.decompress(response.content) == widget_build().loader.content


def test_widget_js_is_plain_without_gzip_and_with_gzip_refused(client):
    for header in ("", "identity", "gzip;q=0", "br, gzip; q=0.0"):
        response = client.get("/widget.js", HTTP_ACCEPT_ENCODING=header)
        assert "Content-Encoding" not in response, header
        assert response.content == widget_build().loader.content


def test_a_matching_etag_answers_304_per_representation(client):
    first = client.get("/widget.js", HTTP_ACCEPT_ENCODING="gzip")
    again = client.get("/widget.js", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    plain = client.get("/widget.js", HTTP_IF_NONE_MATCH=first["ETag"])
    assert plain.status_code == 200, "the gzip ETag must not validate the plain bytes"


def test_the_loader_points_at_the_immutable_content_hashed_app(client):
    loader = client.get("/widget.js").content.decode()
    match = re.search(r'"/(widget/app\.[0-9a-f]{16}\.js)"', loader)
    assert match, "the loader names the hashed app bundle"
    app = client.get("/" + match.group(1), HTTP_ACCEPT_ENCODING="gzip")
    assert app.status_code == 200
    assert app["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(app.content) == widget_build().app.content


def test_only_built_assets_are_served(client):
    for path in (
        "/widget/app.js",
        "/widget/app.0000000000000000.js",
        "/widget/..%2f..%2fsettings.py",
        "/widget/loader.js",
    ):
        assert client.get(path).status_code == 404, path


def test_only_get_and_head(client):
    assert client.post("/widget.js").status_code == 405
    assert client.head("/widget.js").status_code == 200


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("deflate, gzip;q=1.0", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("br", False),
        ("", False),
        ("gzipped", False),
    ],
)
def test_accepts_gzip(header, expected):
    assert accepts_gzip(header) is expected
