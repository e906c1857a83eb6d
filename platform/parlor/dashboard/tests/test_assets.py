"""The dashboard's files: its CSS through staticfiles with hashed names, its live transcript
from the widget's own sources (one protocol client), and no hand-written asset view left."""

from __future__ import annotations

import gzip
import re

import pytest
from django.conf import settings
from django.test import Client

from parlor.dashboard.tests.conftest import login
from parlor.widget_serving.assets import SOURCE_DIR, widget_build

pytestmark = pytest.mark.usefixtures("live_db")

STATIC_DIR = settings.BASE_DIR / "platform" / "parlor" / "dashboard" / "static" / "dashboard"
HASHED_CSS = re.compile(r'href="(/static/dashboard/dashboard\.[0-9a-f]{12}\.css)"')


def _css_url(staff) -> str:
    page = login(staff).get("/dashboard/").content.decode()
    match = HASHED_CSS.search(page)
    assert match, "the page names its CSS by content hash"
    return match.group(1)


def test_the_css_has_a_content_hashed_name_cached_for_a_year(alpha_staff):
    url = _css_url(alpha_staff)
    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == (STATIC_DIR / "dashboard.css").read_bytes()


def test_the_hash_follows_the_content(alpha_staff):
    name = HASHED_CSS.search(f'href="{_css_url(alpha_staff)}"').group(1)
    digest = re.search(r"\.([0-9a-f]{12})\.css$", name).group(1)
    import hashlib

    assert hashlib.md5((STATIC_DIR / "dashboard.css").read_bytes()).hexdigest()[:12] == digest


def test_a_hashed_file_is_revalidated_and_served_plain_without_gzip(alpha_staff):
    url = _css_url(alpha_staff)
    first = Client().get(url)
    assert "Content-Encoding" not in first
    assert first.content == (STATIC_DIR / "dashboard.css").read_bytes()
    again = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_the_hand_written_asset_view_is_gone():
    client = Client(HTTP_HOST="alpha.localhost")
    for path in ("/dashboard/static/dashboard.css", "/dashboard/static/transcript.js"):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/static/../settings.py", "/static/dashboard/..%2f..%2fviews.py", "/static/nope.css"],
)
def test_nothing_else_is_served_as_static(path):
    assert Client().get(path).status_code == 404


def test_the_live_transcript_is_the_widgets_client_built_from_widget_src():
    bundle = widget_build().dashboard.content.decode()
    # The same modules as the widget's app: one client, one outbox, one connection policy.
    for name in ("class ChatClient", "class Connection", "function createOutbox"):
        assert name in bundle
        assert name in widget_build().app.content.decode()
    assert not list(STATIC_DIR.glob("*.js")), "no second client in the dashboard's folder"


def test_the_dashboard_javascript_renders_text_only():
    for path in SOURCE_DIR.glob("*.js"):
        source = path.read_text()
        if path.name == "launcher.js":  # its one constant icon, documented in widget/README.md
            continue
        assert not re.search(
            r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", source
        ), path.name
