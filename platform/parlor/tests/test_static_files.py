"""The static-files middleware: WhiteNoise without a thread hop for every other request."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from parlor.static_files import StaticFilesMiddleware

CSS = (
    settings.BASE_DIR
    / "platform"
    / "parlor"
    / "dashboard"
    / "static"
    / "dashboard"
    / "dashboard.css"
)


async def passed_on(request) -> HttpResponse:
    return HttpResponse(b"passed on", status=299)


def test_it_runs_async_only_so_async_views_stay_on_the_loop():
    assert (StaticFilesMiddleware.sync_capable, StaticFilesMiddleware.async_capable) == (
        False,
        True,
    )


async def test_a_request_for_anything_else_passes_on_untouched():
    middleware = StaticFilesMiddleware(passed_on)
    for path in ("/api/v1/rooms", "/static/nope.css", "/dashboard/static/dashboard.css"):
        response = await middleware(RequestFactory().get(path))
        assert (response.status_code, response.content) == (299, b"passed on"), path


async def test_the_collected_hashed_file_is_served_from_memory_with_long_caching():
    manifest = json.loads((settings.STATIC_ROOT / "staticfiles.json").read_text())
    hashed = manifest["paths"]["dashboard/dashboard.css"]
    response = await StaticFilesMiddleware(passed_on)(RequestFactory().get(f"/static/{hashed}"))
    assert response.status_code == 200
    assert not response.streaming, "a plain response: no sync iterator under ASGI"
    assert response.content == CSS.read_bytes()
    assert "immutable" in response["Cache-Control"]


@pytest.mark.parametrize("method", ["get", "head"])
async def test_under_debug_the_source_file_is_served_as_make_run_does(method):
    with override_settings(DEBUG=True, WHITENOISE_AUTOREFRESH=True, WHITENOISE_USE_FINDERS=True):
        middleware = StaticFilesMiddleware(passed_on)
    request = getattr(RequestFactory(), method)("/static/dashboard/dashboard.css")
    response = await middleware(request)
    assert response.status_code == 200
    assert response.content == (CSS.read_bytes() if method == "get" else b"")
    assert "immutable" not in response["Cache-Control"]
