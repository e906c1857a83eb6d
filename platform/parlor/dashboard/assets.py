"""The dashboard's own CSS and JavaScript, served by the platform (no separate static server)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_GET

STATIC_DIR = Path(__file__).resolve().parent / "static" / "dashboard"
CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@require_GET
def asset(request: HttpRequest, name: str) -> HttpResponse:
    """Serve one file of the dashboard's static folder, revalidated by ETag."""
    content, etag = _load(name)
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    response = HttpResponse(content, content_type=CONTENT_TYPES[Path(name).suffix])
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def asset_names() -> frozenset[str]:
    """Return the names of the files served (nothing outside the static folder, no sub-folders)."""
    return frozenset(
        path.name
        for path in STATIC_DIR.iterdir()
        if path.is_file() and path.suffix in CONTENT_TYPES
    )


def _load(name: str) -> tuple[bytes, str]:
    if name not in asset_names():
        raise Http404("no such dashboard file")
    return _read(STATIC_DIR / name, (STATIC_DIR / name).stat().st_mtime_ns)


@cache
def _read(path: Path, modified: int) -> tuple[bytes, str]:
    content = path.read_bytes()
    return content, '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
