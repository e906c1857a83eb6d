"""The unsubscribe page of follow-up mail: GET asks, POST (or a one-click client) confirms."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_tenants.utils import schema_context

from parlor.followup.services import contact_unsubscribe
from parlor.followup.tokens import ReplyTokenError, unsubscribe_token_verify
from tenants.models import Tenant


# The signed token in the path is the authority (RFC 8058 one-click POSTs carry no cookie).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Show the unsubscribe question (GET) or unsubscribe the link's contact (POST)."""
    try:
        target = unsubscribe_token_verify(token)
    except ReplyTokenError as error:
        return render(request, "followup/unsubscribe.html", {"error": str(error)}, status=400)
    tenant = Tenant.objects.filter(id=target.tenant_id).first()
    if tenant is None:
        context = {"error": "the link names no tenant."}
        return render(request, "followup/unsubscribe.html", context, status=404)
    done = False
    if request.method == "POST":
        with schema_context(tenant.schema_name):
            done = contact_unsubscribe(contact_id=target.contact_id) is not None
    context = {"tenant_name": tenant.name, "done": done}
    return render(request, "followup/unsubscribe.html", context)
