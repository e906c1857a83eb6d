"""The platform's landing page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parlor.base.conf import setting
from parlor.demo.services import DEMO_DOMAIN


def index(request: HttpRequest) -> HttpResponse:
    """Render the landing page with links to the demo customer site and the demo dashboard."""
    dashboard_url = f"{request.scheme}://{DEMO_DOMAIN}:{request.get_port()}/dashboard/"
    context = {"demo_page_url": setting("DEMO_PAGE_URL"), "dashboard_url": dashboard_url}
    return render(request, "parlor/index.html", context)
