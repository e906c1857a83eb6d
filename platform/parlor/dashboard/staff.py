"""Dashboard pages of the team: the staff page (add, invite, roles, deactivate) and audit log."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parlor.audit import actions
from parlor.audit.actions import LABELS
from parlor.audit.selectors import audit_list
from parlor.audit.services import audit_record
from parlor.base.errors import ApplicationError
from parlor.dashboard.access import staff_required
from parlor.dashboard.services import staff_create
from parlor.dashboard.services import staff_reactivate as staff_reactivate_within_seats
from parlor.dashboard.staff_forms import StaffAddForm, StaffPasswordResetForm, StaffRoleForm
from parlor.team import services as team_services
from parlor.team.roles import Role
from parlor.team.selectors import staff_list

INVITE_SUBJECT = "dashboard/email/invite_subject.txt"
INVITE_BODY = "dashboard/email/invite_body.txt"


@require_http_methods(["GET", "POST"])
@staff_required(manage=True)
def staff(request: HttpRequest) -> HttpResponse:
    """List the tenant's staff; POST adds one (with a password, or invited by email)."""
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _staff_add(request, form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.detail)
        else:
            return redirect("dashboard:staff")
    context = {
        "members": staff_list(),
        "form": form,
        "roles": _roles_grantable(request),
        "nav": "staff",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "dashboard/staff.html", context, status=status)


def _staff_add(request: HttpRequest, data: dict) -> None:
    team_services.staff_grant_check(actor=request.user, role=data["role"])
    invited = not data["password"]
    user = staff_create(
        tenant=request.tenant,
        username=data["username"],
        # An invitee sets their own password through the reset link; this one is never shown.
        password=data["password"] or secrets.token_urlsafe(32),
        name=data["name"],
        email=data["email"],
        role=data["role"],
        check_password=not invited,
    )
    action = actions.STAFF_INVITED if invited else actions.STAFF_CREATED
    audit_record(
        actor=request.user,
        action=action,
        target=user.get_username(),
        detail={"user_id": user.pk, "role": data["role"]},
    )
    if invited:
        invitation = StaffPasswordResetForm({"email": data["email"]})
        invitation.is_valid()
        invitation.save(
            request=request,
            use_https=request.is_secure(),
            subject_template_name=INVITE_SUBJECT,
            email_template_name=INVITE_BODY,
            extra_email_context={"tenant_name": request.tenant.name},
        )
        messages.success(request, f"Invitation sent to {data['email']}.")
    else:
        messages.success(request, f"{user.get_username()} can log in now.")


def _roles_grantable(request: HttpRequest) -> list[tuple[str, str]]:
    owner = request.staff_role == Role.OWNER
    return [(value, label) for value, label in Role.choices if owner or value != Role.OWNER]


@require_POST
@staff_required(manage=True)
def staff_role(request: HttpRequest, user_id: int) -> HttpResponse:
    """Change one staff user's role (never leaving the tenant without an owner)."""
    form = StaffRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, admin or agent.")
        return redirect("dashboard:staff")
    return _staff_change(
        request,
        lambda: team_services.staff_role_change(
            actor=request.user, user_id=user_id, role=form.cleaned_data["role"]
        ),
        "Role changed.",
    )


@require_POST
@staff_required(manage=True)
def staff_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """Deactivate a staff user: their sessions end and their live sockets close."""
    return _staff_change(
        request,
        lambda: team_services.staff_deactivate(
            tenant=request.tenant, actor=request.user, user_id=user_id
        ),
        "Deactivated: their sessions and live connections have ended.",
    )


@require_POST
@staff_required(manage=True)
def staff_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    """Let a deactivated staff user log in again."""
    return _staff_change(
        request,
        lambda: staff_reactivate_within_seats(
            tenant=request.tenant, actor=request.user, user_id=user_id
        ),
        "Reactivated.",
    )


def _staff_change(request: HttpRequest, change, done: str) -> HttpResponse:
    try:
        change()
    except ApplicationError as error:
        messages.error(request, error.detail[:1].upper() + error.detail[1:])
    else:
        messages.success(request, done)
    return redirect("dashboard:staff")


@require_GET
@staff_required(manage=True)
def audit(request: HttpRequest) -> HttpResponse:
    """List the tenant's admin actions, newest first, a page at a time."""
    before = request.GET.get("before", "")
    cursor = int(before) if before.isdigit() and len(before) < 19 else None
    page = audit_list(before=cursor)
    rows = [
        {"entry": entry, "label": LABELS.get(entry.action, entry.action)} for entry in page.entries
    ]
    context = {"rows": rows, "next_before": page.next_before, "paged": cursor, "nav": "audit"}
    return render(request, "dashboard/audit.html", context)
