"""The platform's landing page: what is running and where the demo lives."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parlor.conf import setting


def index(request: HttpRequest) -> HttpResponse:
    """Render the landing page with a link to the demo customer site."""
    return render(request, "parlor/index.html", {"demo_page_url": setting("DEMO_PAGE_URL")})
