"""The agents' inbox and a conversation's workflow controls: thin views over parlor.chat.

The inbox page renders its first page on the server (it works without JavaScript); the live
script (widget/src/inbox_page.js) then re-reads `inbox.json` whenever the agents' socket says
something changed, so counts and order always come from storage, never from guesses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.timezone import get_current_timezone, make_aware
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tenants.utils import schema_context

from parlor.audit import actions as audit_actions
from parlor.audit.services import audit_record
from parlor.base.errors import NotFound, ValidationFailed
from parlor.base.times import isoformat
from parlor.chat import canned, workflow
from parlor.chat.assignment import auto_assign_enabled, auto_assign_set
from parlor.chat.availability import availability_chosen
from parlor.chat.inbox import VIEWS, InboxRow, conversation_inbox
from parlor.chat.models import RoomStatus
from parlor.dashboard.access import staff_required
from parlor.dashboard.services import staff_name, staff_principal
from parlor.visitors.selectors import visitor_titles
from parlor.widget_serving.assets import widget_build

STATUSES = RoomStatus.values


def inbox_filters(request: HttpRequest) -> tuple[str, str]:
    """Return the (view, status) the request asks for, defaulting to all / open."""
    view = request.GET.get("view", "all")
    status = request.GET.get("status", RoomStatus.OPEN.value)
    return (view if view in VIEWS else "all", status if status in STATUSES else "open")


def inbox_page_get(request: HttpRequest, *, view: str, status: str, cursor: str | None):
    """Return the inbox page the logged-in staff member asks for."""
    agent = staff_principal(tenant=request.tenant, user=request.user).subject
    with schema_context(request.tenant.schema_name):
        return conversation_inbox(
            status=status, view=view, user_id=request.user.pk, agent_subject=agent, cursor=cursor
        )


def inbox(request: HttpRequest) -> HttpResponse:
    """The inbox: conversations by status and assignment, newest activity first, unread counts."""
    view, status = inbox_filters(request)
    page = inbox_page_get(request, view=view, status=status, cursor=request.GET.get("cursor"))
    with schema_context(request.tenant.schema_name):
        chosen = availability_chosen(user_id=request.user.pk)
    context = {
        "rows": page.rows,
        "next_cursor": page.next_cursor,
        "view": view,
        "status": status,
        "views": [("all", "All"), ("mine", "Mine"), ("unassigned", "Unassigned")],
        "statuses": [(value, label) for value, label in RoomStatus.choices],
        "unread_total": sum(row.unread for row in page.rows),
        "live_script": "/" + widget_build().dashboard.path,
        "availability": chosen,
        "me": request.user.pk,
        "nav": "conversations",
        "shown": "conversations",
    }
    return render(request, "dashboard/inbox.html", context)


@require_GET
@staff_required(json=True)
def inbox_json(request: HttpRequest) -> JsonResponse:
    """The inbox page as JSON, for the live list (same filters and cursor as the page)."""
    view, status = inbox_filters(request)
    page = inbox_page_get(request, view=view, status=status, cursor=request.GET.get("cursor"))
    owners = {(row.room.owner_kind, row.room.owner_id) for row in page.rows if row.room.owner_id}
    titles = visitor_titles(owners)
    body = {
        "conversations": [inbox_item(row, titles) for row in page.rows],
        "next_cursor": page.next_cursor,
        "unread_total": sum(row.unread for row in page.rows),
    }
    return JsonResponse(body, headers={"Cache-Control": "no-store"})


def inbox_item(row: InboxRow, titles: dict[tuple[str, str], str]) -> dict[str, Any]:
    """Return one inbox row as the live list renders it (text only, never HTML)."""
    room, message = row.room, row.last_message
    return {
        "id": room.id,
        # The visitor's name, else their friendly label: never the raw id (parlor.visitors).
        "title": titles.get((room.owner_kind, room.owner_id), f"#{room.id}")[:60],
        "status": room.status,
        "assignee": room.assignee,
        "last_activity_at": isoformat(room.last_activity_at),
        "unread": row.unread,
        "preview": message.body[:140] if message else "",
        "sender": (message.sender_name or message.sender_id) if message else "",
        "url": f"/dashboard/conversations/{room.id}",
    }


@require_POST
@staff_required()
def conversation_workflow(request: HttpRequest, room_id: str) -> HttpResponse:
    """Change status, snooze or assignee from the transcript's controls; errors change nothing."""
    actor = workflow.Actor(name=staff_name(request.user), user_id=request.user.pk)
    changes: dict[str, Any] = {}
    action = request.POST.get("action", "")
    if action == "status":
        changes["status"] = request.POST.get("status", "")
    elif action == "snooze":
        changes["status"] = RoomStatus.SNOOZED.value
        changes["snoozed_until"] = snooze_time(request.POST)
    elif action == "assign":
        changes["assignee"] = _assignee(request.POST.get("assignee", ""), request.user.pk)
    try:
        if not changes:
            raise ValidationFailed("choose a change.", code="invalid_field")
        workflow.conversation_update(tenant=request.tenant, room_id=room_id, actor=actor, **changes)
    except NotFound:
        raise Http404("no such conversation") from None
    except ValidationFailed as error:
        messages.error(request, f"Nothing changed: {error.detail}")
    return redirect("dashboard:transcript", room_id=room_id)


@require_POST
@staff_required()
def conversation_note(request: HttpRequest, room_id: str) -> HttpResponse:
    """Add an internal note (staff only) to a conversation."""
    actor = workflow.Actor(name=staff_name(request.user), user_id=request.user.pk)
    try:
        workflow.conversation_note_add(
            tenant=request.tenant, room_id=room_id, actor=actor, body=request.POST.get("body", "")
        )
    except NotFound:
        raise Http404("no such conversation") from None
    except ValidationFailed as error:
        messages.error(request, f"Note not saved: {error.detail}")
    return redirect("dashboard:transcript", room_id=room_id)


@require_http_methods(["GET", "POST"])
@staff_required()
def canned_responses(request: HttpRequest) -> HttpResponse:
    """List the tenant's canned responses; owners and admins add and delete them."""
    with schema_context(request.tenant.schema_name):
        if request.method == "POST":
            if not request.staff_manages:
                return render(request, "dashboard/forbidden.html", status=403)
            try:
                if request.POST.get("delete"):
                    canned.canned_response_delete(shortcut=request.POST["delete"])
                else:
                    canned.canned_response_create(
                        shortcut=request.POST.get("shortcut", ""),
                        text=request.POST.get("text", ""),
                    )
            except ValidationFailed as error:
                messages.error(request, error.detail)
            return redirect("dashboard:canned")
        responses = canned.canned_response_list()
        auto_assign = auto_assign_enabled()
    context = {"responses": responses, "auto_assign": auto_assign, "nav": "canned"}
    return render(request, "dashboard/canned.html", context)


@require_POST
@staff_required(manage=True)
def auto_assign_switch(request: HttpRequest) -> HttpResponse:
    """Turn round-robin auto-assignment on or off (owners and admins); the change is audited."""
    enabled = request.POST.get("auto_assign") == "on"
    with schema_context(request.tenant.schema_name):
        if enabled != auto_assign_enabled():
            auto_assign_set(enabled=enabled)
            audit_record(
                actor=request.user,
                action=audit_actions.AUTO_ASSIGN_CHANGED,
                detail={"enabled": enabled},
            )
    messages.success(request, f"Auto-assignment is {'on' if enabled else 'off'}.")
    return redirect("dashboard:canned")


def snooze_time(form: Any) -> datetime | None:
    """Return the snooze form's wake-up time as the browser converted it to UTC, or None."""
    # widget/src/snooze.js turns the agent's local pick into `snoozed_until_utc`; without the
    # script the form's label says UTC and the picked time is read as such.
    converted = form.get("snoozed_until_utc", "")
    if converted:
        parsed = parse_datetime(converted) if len(converted) < 40 else None
        # Only an instant with its offset: a naive value here would be read in the wrong zone.
        return parsed if parsed is not None and parsed.tzinfo is not None else None
    return _local_time(form.get("snoozed_until", ""))


def _local_time(value: str):
    parsed = parse_datetime(value) if value and len(value) < 40 else None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else make_aware(parsed, get_current_timezone())


def _assignee(value: str, me: int) -> int | None:
    if value in ("", "none"):
        return None
    if value == "me":
        return me
    return int(value) if value.isdigit() and len(value) < 12 else -1
