"""Who may see the operator console: a platform operator, on the platform's host, nobody else."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from tenants.operators import is_operator

# Set at the console's login: a session of the public schema made for the console.
SESSION_CONSOLE_KEY = "parlor_console"
POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def on_platform_host(request: HttpRequest) -> bool:
    """Return whether the request came to the platform's host (no tenant owns it)."""
    # django-tenants sets no request.tenant for a host no Domain names (the platform's own,
    # served from the public schema), and the public tenant for a Domain of its own.
    tenant = getattr(request, "tenant", None)
    return tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME


def platform_host_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 404 on a tenant's host: the console does not exist there."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not on_platform_host(request):
            raise Http404("no such page")
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = POLICY
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return wrapper


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let only a logged-in platform operator through: others log in, or get 403."""

    @platform_host_only
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if user.is_authenticated and is_operator(user) and request.session.get(SESSION_CONSOLE_KEY):
            return view(request, *args, **kwargs)
        if user.is_authenticated:
            logout(request)
            return render(request, "console/forbidden.html", status=403)
        return redirect_to_login(request.get_full_path(), login_url=reverse("console:login"))

    return wrapper
