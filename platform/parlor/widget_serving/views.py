"""HTTP views for the widget's scripts: gzip when accepted, ETag revalidation, long caching."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from parlor.widget_serving.assets import Asset, widget_build

LOADER_MAX_AGE = 300
IMMUTABLE_MAX_AGE = 31536000
QUALITY = re.compile(r";\s*q\s*=\s*([0-9.]+)")


@require_safe
def loader(request: HttpRequest) -> HttpResponse:
    """Serve /widget.js: the stable URL customers embed, cached briefly and revalidated."""
    return _serve(request, widget_build().loader)


@require_safe
def asset(request: HttpRequest, name: str) -> HttpResponse:
    """Serve a content-hashed bundle under /widget/; its URL changes whenever it does."""
    found = widget_build().by_path(f"widget/{name}")
    if found is None:
        raise Http404("no such widget asset")
    return _serve(request, found)


def _serve(request: HttpRequest, served: Asset) -> HttpResponse:
    compressed = accepts_gzip(request.headers.get("Accept-Encoding", ""))
    # Strong ETags must differ between the plain and the gzip representation.
    etag = f'"{served.etag}{"-gz" if compressed else ""}"'
    if etag in _etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(
            served.gzipped if compressed else served.content,
            content_type="text/javascript; charset=utf-8",
        )
        if compressed:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Vary"] = "Accept-Encoding"
    max_age = IMMUTABLE_MAX_AGE if served.immutable else LOADER_MAX_AGE
    immutable = ", immutable" if served.immutable else ""
    response["Cache-Control"] = f"public, max-age={max_age}{immutable}"
    # Customer pages on other origins load these scripts, also pages that set COEP.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def accepts_gzip(header: str) -> bool:
    """Return whether an Accept-Encoding header allows gzip (q=0 refuses it)."""
    for part in header.lower().split(","):
        coding = part.split(";", 1)[0].strip()
        if coding not in {"gzip", "*"}:
            continue
        quality = QUALITY.search(part)
        try:
            return quality is None or float(quality.group(1)) > 0
        except ValueError:
            return False
    return False
