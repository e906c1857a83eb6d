"""The platform's landing page and the demo agent page."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from parlor.base.conf import setting
from parlor.demo.services import demo_agent_token
from parlor.widget_serving.assets import widget_build


def index(request: HttpRequest) -> HttpResponse:
    """Render the landing page with a link to the demo customer site."""
    return render(
        request,
        "parlor/index.html",
        {"demo_page_url": setting("DEMO_PAGE_URL"), "agent_page": _agent_page_enabled()},
    )


@require_safe
def agent_console(request: HttpRequest) -> HttpResponse:
    """Render a page where an agent of the demo tenant answers visitors (DEBUG or opt-in only)."""
    if not _agent_page_enabled():
        raise Http404("the demo agent page is off (DEBUG or PARLOR_DEMO_AGENT_PAGE turns it on)")
    issued = demo_agent_token(slug=setting("DEMO_TENANT_SLUG"))
    scheme = "wss" if request.is_secure() else "ws"
    config = {
        "token": issued.token,
        "expires_at": issued.expires_at.isoformat(),
        "ws_url": f"{scheme}://{request.get_host()}/ws/v1/",
        "tenant": setting("DEMO_TENANT_SLUG"),
    }
    response = render(
        request,
        "parlor/agent.html",
        {"config": config, "script": "/" + widget_build().agent.path},
    )
    response["Cache-Control"] = "no-store"
    return response


def _agent_page_enabled() -> bool:
    return bool(settings.DEBUG or setting("DEMO_AGENT_PAGE"))
