"""Who may see the dashboard: a logged-in staff user of the tenant whose host serves the page."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from parlor.team.roles import role_manages
from parlor.team.selectors import staff_role_get
from tenants.models import Tenant

# The schema a session was logged into: checked on every request, so a session can never be
# used on another tenant's host even if its key were found there.
SESSION_TENANT_KEY = "parlor_dashboard_tenant"


def host_tenant(request: HttpRequest) -> Tenant | None:
    """Return the tenant whose domain the request was sent to, None on the platform's host."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return None
    return tenant


def is_tenant_staff(request: HttpRequest) -> bool:
    """Return whether the request's user is an active staff user logged in on this tenant."""
    tenant = host_tenant(request)
    user = request.user
    return (
        tenant is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and request.session.get(SESSION_TENANT_KEY) == tenant.schema_name
    )


def public_host_page(request: HttpRequest) -> HttpResponse:
    """Explain that the dashboard lives on each tenant's own host (naming no tenant)."""
    port = request.get_port()
    suffix = "" if port in {"80", "443"} else f":{port}"
    return render(
        request,
        "dashboard/public_host.html",
        {"example": f"{request.scheme}://your-company.localhost{suffix}/dashboard/"},
        status=404,
    )


def suspended_page(request: HttpRequest, *, json: bool = False) -> HttpResponse:
    """Answer 403 for a suspended tenant's dashboard, ending any session on it."""
    if request.user.is_authenticated:
        logout(request)
    detail = "this workspace is suspended by the platform operator."
    if json:
        return JsonResponse({"code": "tenant_suspended", "detail": detail}, status=403)
    return render(request, "dashboard/suspended.html", {"detail": detail}, status=403)


def staff_required(*, json: bool = False, manage: bool = False) -> Callable:
    """Let only this tenant's logged-in staff through; others go to login (or get a 401 JSON).

    With `manage`, only owners and admins: agents get a 403 page (or a 403 JSON).
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            tenant = host_tenant(request)
            if tenant is None:
                return public_host_page(request)
            if tenant.suspended_at is not None:
                return suspended_page(request, json=json)
            if not is_tenant_staff(request):
                if request.user.is_authenticated:
                    logout(request)
                if json:
                    return JsonResponse(
                        {"code": "unauthenticated", "detail": "log in to the dashboard again."},
                        status=401,
                    )
                return redirect_to_login(
                    request.get_full_path(), login_url=reverse("dashboard:login")
                )
            request.staff_role = staff_role_get(user=request.user)
            request.staff_manages = role_manages(request.staff_role)
            if manage and not request.staff_manages:
                response = _forbidden(request, json=json)
            else:
                response = view(request, *args, **kwargs)
            response.headers.setdefault("Content-Security-Policy", _policy(request))
            response.headers.setdefault("Cache-Control", "no-store")
            return response

        return wrapper

    return decorate


def _forbidden(request: HttpRequest, *, json: bool) -> HttpResponse:
    detail = "only owners and admins may do this."
    if json:
        return JsonResponse({"code": "not_allowed", "detail": detail}, status=403)
    return render(request, "dashboard/forbidden.html", {"detail": detail}, status=403)


def _policy(request: HttpRequest) -> str:
    host = request.get_host()
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:;"
        f" connect-src 'self' ws://{host} wss://{host}; frame-ancestors 'none';"
        " form-action 'self'; base-uri 'none'; object-src 'none'"
    )
