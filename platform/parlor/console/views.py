"""Pages of the operator console: thin views over tenants' operator services and usage reads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parlor.base.addresses import client_address
from parlor.base.errors import ApplicationError, RateLimited
from parlor.console.access import SESSION_CONSOLE_KEY, operator_required, platform_host_only
from parlor.console.forms import (
    DeleteForm,
    OperatorAuthenticationForm,
    QuotaForm,
    SuspendForm,
    TenantCreateForm,
)
from parlor.realtime.socket_census import tenant_sockets_open
from parlor.throttle import rule_from_settings, throttle
from parlor.usage.selectors import quota_rows, schema_sizes, tenant_usage
from tenants import operators
from tenants.platform_audit import platform_audit_list
from tenants.selectors import tenant_get, tenant_list
from tenants.suspension import tenant_resume, tenant_suspend


@method_decorator(platform_host_only, name="dispatch")
class ConsoleLoginView(LoginView):
    """Django's login on the platform's host, for platform operators only, throttled."""

    template_name = "console/login.html"
    authentication_form = OperatorAuthenticationForm
    next_page = reverse_lazy("console:tenants")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            _login_throttle(request)
        except RateLimited as error:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, error.detail)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        self.request.session[SESSION_CONSOLE_KEY] = True
        return response


@method_decorator(platform_host_only, name="dispatch")
class ConsoleLogoutView(LogoutView):
    """Log out (POST only, with CSRF)."""

    next_page = reverse_lazy("console:login")


def _login_throttle(request: HttpRequest) -> None:
    # The dashboard's rules, keyed apart: per client address, and per operator name tried.
    address = client_address(
        peer=request.META.get("REMOTE_ADDR"), forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR")
    )
    detail = "too many login attempts"
    throttle(rule=rule_from_settings("login_address"), key=f"console:{address}", detail=detail)
    username = request.POST.get("username", "")[:150]
    throttle(rule=rule_from_settings("login_account"), key=f"console:{username}", detail=detail)


def _actor(request: HttpRequest) -> str:
    return request.user.get_username()


@require_http_methods(["GET", "POST"])
@operator_required
def tenants(request: HttpRequest) -> HttpResponse:
    """List tenants with their usage; POST creates one (its secret key is shown once)."""
    form = TenantCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = operators.tenant_create_logged(actor=_actor(request), **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.detail)
        else:
            form = TenantCreateForm()
    sizes, sockets = schema_sizes(), tenant_sockets_open()
    rows = [
        {
            "tenant": tenant,
            "usage": tenant_usage(
                tenant=tenant,
                storage_bytes=sizes.get(tenant.schema_name, 0),
                sockets_open=sockets.get(tenant.id, 0),
            ),
        }
        for tenant in tenant_list()
    ]
    status = 400 if request.method == "POST" and created is None else 200
    context = {"rows": rows, "form": form, "created": created, "nav": "tenants"}
    return render(request, "console/tenants.html", context, status=status)


@require_GET
@operator_required
def tenant(request: HttpRequest, slug: str) -> HttpResponse:
    """One tenant: usage against each quota, the plan form, suspend or resume, delete."""
    return _tenant_page(request, slug)


def _tenant_page(
    request: HttpRequest, slug: str, *, quota_form=None, delete_form=None, status: int = 200
) -> HttpResponse:
    try:
        target = tenant_get(slug=slug)
    except ApplicationError as error:
        return render(request, "console/missing.html", {"detail": error.detail}, status=404)
    figures = tenant_usage(tenant=target)
    initial = {"plan": target.plan, **(target.quota_overrides or {})}
    context = {
        "tenant": target,
        "usage": figures,
        "rows": quota_rows(tenant=target, usage=figures),
        "quota_form": quota_form or QuotaForm(initial=initial),
        "suspend_form": SuspendForm(),
        "delete_form": delete_form or DeleteForm(slug=slug),
        "nav": "tenants",
    }
    return render(request, "console/tenant.html", context, status=status)


@require_POST
@operator_required
def tenant_quotas(request: HttpRequest, slug: str) -> HttpResponse:
    """Change the plan and overrides; any bad value is a form error and nothing changes."""
    form = QuotaForm(request.POST)
    if form.is_valid():
        try:
            target = tenant_get(slug=slug)
            operators.tenant_plan_set_logged(
                actor=_actor(request),
                tenant=target,
                plan=form.cleaned_data["plan"],
                overrides=form.overrides(),
            )
        except ApplicationError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, "Plan and quotas saved.")
            return redirect("console:tenant", slug=slug)
    return _tenant_page(request, slug, quota_form=form, status=400)


@require_POST
@operator_required
def tenant_suspend_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Suspend the tenant: its sockets close now; its API, widget and dashboard refuse."""
    form = SuspendForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _change(
        request,
        slug,
        lambda target: tenant_suspend(tenant=target, actor=_actor(request), reason=reason),
        "Suspended: its sockets are closed and it is refused everywhere.",
    )


@require_POST
@operator_required
def tenant_resume_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Lift the tenant's suspension."""
    return _change(
        request,
        slug,
        lambda target: tenant_resume(tenant=target, actor=_actor(request)),
        "Resumed.",
    )


def _change(request: HttpRequest, slug: str, change, done: str) -> HttpResponse:
    try:
        change(tenant_get(slug=slug))
    except ApplicationError as error:
        messages.error(request, error.detail[:1].upper() + error.detail[1:])
    else:
        messages.success(request, done)
    return redirect("console:tenant", slug=slug)


@require_POST
@operator_required
def tenant_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Export the tenant to a file, then delete it with its schema."""
    form = DeleteForm(request.POST, slug=slug)
    if not form.is_valid():
        return _tenant_page(request, slug, delete_form=form, status=400)
    try:
        export = operators.tenant_delete_exported(actor=_actor(request), slug=slug)
    except ApplicationError as error:
        return render(request, "console/missing.html", {"detail": error.detail}, status=404)
    messages.success(
        request,
        f"Deleted {slug}. Final export: {export.path}"
        f" ({export.bytes} bytes, sha256 {export.sha256}).",
    )
    return redirect("console:tenants")


@require_GET
@operator_required
def audit(request: HttpRequest) -> HttpResponse:
    """The platform audit log: every operator action, newest first."""
    return render(request, "console/audit.html", {"entries": platform_audit_list(), "nav": "audit"})
