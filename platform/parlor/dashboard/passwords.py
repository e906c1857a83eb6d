"""Password change (logged in) and reset by email, through Django's own auth views.

Reset requests are throttled like logins (per address and per submitted address, before any
lookup) and answer the same whether or not a staff user has that email.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from parlor.audit import actions
from parlor.audit.services import audit_record
from parlor.base.errors import RateLimited
from parlor.dashboard.access import host_tenant, public_host_page, staff_required
from parlor.dashboard.csp import LOGIN_POLICY, content_security_policy
from parlor.dashboard.login_throttle import password_reset_throttle
from parlor.dashboard.services import staff_sockets_end
from parlor.dashboard.staff_forms import StaffPasswordResetForm


class TenantHostOnly:
    """Mixin: answer only on a tenant's host (the platform's host names no tenant)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if host_tenant(request) is None:
            return public_host_page(request)
        return super().dispatch(request, *args, **kwargs)


@method_decorator(staff_required(), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; other sessions and live sockets of the user end."""

    template_name = "dashboard/password_change.html"
    success_url = reverse_lazy("dashboard:password")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)  # keeps this session (update_session_auth_hash)
        staff_sockets_end(tenant=self.request.tenant, user=self.request.user)
        audit_record(
            actor=self.request.user,
            action=actions.STAFF_PASSWORD_CHANGED,
            target=self.request.user.get_username(),
        )
        messages.success(self.request, "Password changed. Your other sessions have ended.")
        return response

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "nav": "password"}


@method_decorator(content_security_policy(LOGIN_POLICY), name="dispatch")
class PasswordResetView(TenantHostOnly, auth_views.PasswordResetView):
    """Ask for a reset link by email; the same answer whether or not the account exists."""

    template_name = "dashboard/password_reset.html"
    form_class = StaffPasswordResetForm
    email_template_name = "dashboard/email/reset_body.txt"
    subject_template_name = "dashboard/email/reset_subject.txt"
    success_url = reverse_lazy("dashboard:password-reset-sent")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            password_reset_throttle(request=request, email=request.POST.get("email", ""))
        except RateLimited as error:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, error.detail)
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        self.extra_email_context = {"tenant_name": self.request.tenant.name}
        return super().form_valid(form)


@method_decorator(content_security_policy(LOGIN_POLICY), name="dispatch")
class PasswordResetSentView(TenantHostOnly, auth_views.PasswordResetDoneView):
    """Say that a link is on its way if the address belongs to a staff user."""

    template_name = "dashboard/password_reset_sent.html"


@method_decorator(content_security_policy(LOGIN_POLICY), name="dispatch")
class PasswordResetConfirmView(TenantHostOnly, auth_views.PasswordResetConfirmView):
    """Set a new password from the emailed link; the user's live sockets end."""

    template_name = "dashboard/password_reset_confirm.html"
    success_url = reverse_lazy("dashboard:password-reset-complete")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        staff_sockets_end(tenant=self.request.tenant, user=form.user)
        return response


@method_decorator(content_security_policy(LOGIN_POLICY), name="dispatch")
class PasswordResetCompleteView(TenantHostOnly, auth_views.PasswordResetCompleteView):
    """Point to the login page after a reset."""

    template_name = "dashboard/password_reset_complete.html"
