"""The interactive API reference at /api/v1/docs, served from local files: no CDN.

Swagger UI comes from django-ninja's wheel (its `static/ninja/` files), served by this module so
the page works offline and without collectstatic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import escape
from ninja.openapi.docs import DocsBase

ASSETS_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{assets}swagger-ui.css">
<link rel="icon" href="{assets}favicon.png" type="image/png">
</head>
<body>
<script type="application/json" id="swagger-settings">{settings}</script>
<div id="swagger-ui"></div>
<script src="{assets}swagger-ui-bundle.js"></script>
<script src="{assets}swagger-ui-init.js"></script>
</body>
</html>
"""


class LocalSwagger(DocsBase):
    """Swagger UI with every asset served by Parlor itself."""

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout"}
        # </script> cannot appear inside the JSON: it holds only our own URL.
        page = PAGE.format(
            title=escape(api.title),
            assets=reverse("api-docs-asset", kwargs={"name": "x"})[:-1],
            settings=json.dumps(settings).replace("</", "<\\/"),
        )
        return HttpResponse(page, content_type="text/html; charset=utf-8")


def docs_asset(request: HttpRequest, name: str) -> HttpResponse:
    """Serve one of the reference page's files (a fixed list, never a path from the request)."""
    if name not in ASSETS:
        return HttpResponse(status=404)
    response = FileResponse((ASSETS_DIR / name).open("rb"), content_type=ASSETS[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response
