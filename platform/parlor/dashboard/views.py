"""Dashboard pages: thin views over the dashboard's forms, services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tenants.utils import schema_context

from parlor.audit import actions
from parlor.audit.services import audit_record
from parlor.base.errors import ApplicationError, NotFound, RateLimited
from parlor.base.times import isoformat
from parlor.chat import canned, workflow
from parlor.chat.availability import availability_chosen
from parlor.chat.models import RoomKind, RoomStatus
from parlor.dashboard import inbox, selectors, services
from parlor.dashboard.access import (
    SESSION_TENANT_KEY,
    host_tenant,
    is_tenant_staff,
    public_host_page,
    staff_required,
    suspended_page,
)
from parlor.dashboard.csp import LOGIN_POLICY, content_security_policy
from parlor.dashboard.forms import (
    AllowedOriginsForm,
    ReplyForm,
    StaffAuthenticationForm,
    WidgetSettingsForm,
)
from parlor.dashboard.login_throttle import login_attempt_throttle
from parlor.team.selectors import staff_list
from parlor.widget_serving.assets import widget_build
from tenants import api_keys as tenant_api_keys
from tenants import services as tenant_services
from tenants.keys import signing_key_list
from tenants.keys import signing_key_rotate as rotate
from tenants.widget_sessions import widget_settings as widget_settings_of

KIND_FILTERS = {"conversations": RoomKind.CONVERSATION.value, "channels": RoomKind.CHANNEL.value}


@method_decorator(content_security_policy(LOGIN_POLICY), name="dispatch")
class DashboardLoginView(LoginView):
    """Django's login, on a tenant's host only; remembers which tenant the session is for."""

    template_name = "dashboard/login.html"
    authentication_form = StaffAuthenticationForm
    next_page = reverse_lazy("dashboard:conversations")

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        tenant = host_tenant(request)
        if tenant is None:
            return public_host_page(request)
        if tenant.suspended_at is not None:
            return suspended_page(request)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            login_attempt_throttle(request=request, username=request.POST.get("username", ""))
        except RateLimited as error:
            return self.throttled(error)
        return super().post(request, *args, **kwargs)

    def throttled(self, error: RateLimited) -> HttpResponse:
        """Answer 429 with the form and one line saying when to retry; nothing is checked."""
        form = self.get_form()
        form.errors.clear()
        form.add_error(None, error.detail)
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(error.retry_after)
        return response

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        self.request.session[SESSION_TENANT_KEY] = self.request.tenant.schema_name
        return response


class DashboardLogoutView(LogoutView):
    """Log out (POST only, with CSRF) and return to the login page."""

    next_page = reverse_lazy("dashboard:login")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if is_tenant_staff(request):
            services.staff_sockets_end(tenant=request.tenant, user=request.user)
        return super().post(request, *args, **kwargs)


@require_GET
@staff_required()
def conversations(request: HttpRequest) -> HttpResponse:
    """The inbox (conversations); channels and all rooms, the most recently active first."""
    shown = request.GET.get("show", "conversations")
    if shown == "conversations":
        return inbox.inbox(request)
    kind = KIND_FILTERS.get(shown)
    rooms = selectors.room_activity_list(tenant=request.tenant, kind=kind)
    shown = shown if kind or shown == "all" else "conversations"
    context = {"rooms": rooms, "shown": shown, "nav": "conversations"}
    return render(request, "dashboard/conversations.html", context)


@require_GET
@staff_required()
def transcript(request: HttpRequest, room_id: str) -> HttpResponse:
    """Show a room's messages and a reply box that goes live through the WebSocket."""
    return _transcript_page(request, room_id, ReplyForm.fresh())


def _transcript_page(
    request: HttpRequest, room_id: str, form: ReplyForm, status: int = 200
) -> HttpResponse:
    before_seq = _page_bound(request.GET)
    try:
        shown = selectors.transcript_get(tenant=request.tenant, room_id=room_id, before=before_seq)
    except NotFound:
        raise Http404("no such conversation") from None
    messages_shown = shown.page.messages
    live = before_seq is None
    tenant = request.tenant
    events = workflow.conversation_events(tenant=tenant, room_id=room_id)
    with schema_context(tenant.schema_name):
        team = [member for member in staff_list() if member.is_active]
        responses = canned.canned_response_list()
        chosen = availability_chosen(user_id=request.user.pk)
    context = {
        "room": shown.room,
        "entries": selectors.transcript_entries(
            messages_shown, events, older=shown.page.has_more, newest=live
        ),
        "messages_shown": messages_shown,
        "older_before": messages_shown[0].seq if shown.page.has_more and messages_shown else None,
        "last_seq": messages_shown[-1].seq if messages_shown else 0,
        "live": live,
        # The widget's own client, built from widget/src into its own hashed bundle.
        "live_script": "/" + widget_build().dashboard.path,
        "form": form,
        "nav": "conversations",
        "team": team,
        "assignee": next((m for m in team if m.pk == shown.room.assignee), None),
        "statuses": RoomStatus.choices,
        "canned": responses,
        "availability": chosen,
        "me": request.user.pk,
    }
    return render(request, "dashboard/transcript.html", context, status=status)


def _page_bound(query) -> int | None:
    """Return the seq the shown page ends before: `before`, or a page around `seq` (a search
    result's link, `?seq=N#m-N`), or None for the newest page."""
    for name, past in (("before", 0), ("seq", selectors.TRANSCRIPT_PAGE // 2 + 1)):
        value = query.get(name, "")
        if value.isascii() and value.isdigit() and len(value) < 18:
            return int(value) + past
    return None


@require_POST
@staff_required()
def reply(request: HttpRequest, room_id: str) -> HttpResponse:
    """Post a staff reply without JavaScript (with it, the live box queues every reply in its
    outbox and sends it over the WebSocket: it never falls back to this form post)."""
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _transcript_page(request, room_id, form, status=400)
    try:
        services.reply_send(
            tenant=request.tenant,
            user=request.user,
            room_id=room_id,
            body=form.cleaned_data["body"],
            client_msg_id=form.cleaned_data["client_msg_id"],
        )
    except NotFound:
        raise Http404("no such conversation") from None
    return redirect("dashboard:transcript", room_id=room_id)


@require_POST
@staff_required(json=True)
def agent_token(request: HttpRequest) -> JsonResponse:
    """Mint a short agent token for the logged-in staff user (session and CSRF protected)."""
    issued = services.agent_token_issue(tenant=request.tenant, user=request.user)
    body = {"token": issued.token, "expires_at": isoformat(issued.expires_at)}
    return JsonResponse(body, headers={"Cache-Control": "no-store"})


@require_http_methods(["GET", "POST"])
@staff_required(manage=True)
def widget_settings(request: HttpRequest) -> HttpResponse:
    """Edit the widget's look and the origins allowed to embed it (two forms, one page)."""
    tenant = request.tenant
    look = WidgetSettingsForm(initial=widget_settings_of(tenant))
    origins = AllowedOriginsForm(initial={"origins": "\n".join(tenant.allowed_origins)})
    if request.method == "POST":
        if request.POST.get("form") == "origins":
            origins = AllowedOriginsForm(request.POST)
            if origins.is_valid():
                origin_list = origins.cleaned_data["origins"]
                tenant_services.tenant_allowed_origins_update(tenant=tenant, origins=origin_list)
                audit_record(
                    actor=request.user,
                    action=actions.ALLOWED_ORIGINS_CHANGED,
                    detail={"origins": origin_list},
                )
                messages.success(request, "Allowed origins saved.")
                return redirect("dashboard:settings")
        else:
            look = WidgetSettingsForm(request.POST)
            if look.is_valid():
                tenant_services.tenant_widget_settings_update(
                    tenant=tenant, settings=look.settings()
                )
                audit_record(
                    actor=request.user,
                    action=actions.WIDGET_SETTINGS_CHANGED,
                    detail={"fields": sorted(look.settings())},
                )
                messages.success(request, "Widget settings saved.")
                return redirect("dashboard:settings")
    status = 400 if request.method == "POST" else 200
    context = {"look": look, "origins": origins, "nav": "settings"}
    return render(request, "dashboard/settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required(manage=True)
def api_keys(request: HttpRequest) -> HttpResponse:
    """List the tenant's secret API keys; POST creates one and shows it this once."""
    created = None
    if request.method == "POST":
        created = tenant_api_keys.api_key_create(tenant=request.tenant)
        audit_record(
            actor=request.user, action=actions.API_KEY_CREATED, target=f"{created.api_key.prefix}…"
        )
    context = {
        "keys": selectors.api_key_list(tenant=request.tenant),
        "created": created,
        "nav": "api-keys",
    }
    return render(request, "dashboard/api_keys.html", context)


@require_POST
@staff_required(manage=True)
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    """Revoke one of the tenant's API keys at once."""
    try:
        revoked = tenant_api_keys.api_key_revoke(tenant=request.tenant, key_id=key_id)
    except NotFound:
        raise Http404("no such API key") from None
    audit_record(actor=request.user, action=actions.API_KEY_REVOKED, target=f"{revoked.prefix}…")
    messages.success(request, f"Key {revoked.prefix}… revoked.")
    return redirect("dashboard:api-keys")


@require_GET
@staff_required(manage=True)
def signing_keys(request: HttpRequest) -> HttpResponse:
    """List the keys that sign and verify the tenant's tokens."""
    keys = signing_key_list(tenant=request.tenant)
    context = {"keys": keys, "now": timezone.now(), "nav": "signing-keys"}
    return render(request, "dashboard/signing_keys.html", context)


@require_POST
@staff_required(manage=True)
def signing_key_rotate(request: HttpRequest) -> HttpResponse:
    """Make a new signing key current; the previous one verifies until its grace ends."""
    try:
        rotation = rotate(tenant=request.tenant)
    except ApplicationError as error:
        messages.error(request, error.detail)
    else:
        audit_record(
            actor=request.user, action=actions.SIGNING_KEY_ROTATED, target=rotation.current.kid
        )
        messages.success(request, f"Key {rotation.current.kid} now signs new tokens.")
    return redirect(reverse("dashboard:signing-keys"))
