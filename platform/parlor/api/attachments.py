"""`/api/v1/attachments`: grant an upload, upload, read an attachment, download its file.

docs/attachments.md tells the whole flow. Files never travel through the socket: a visitor or
agent asks for a short-lived upload grant (its token), PUTs the bytes to the grant's URL, and
the upload is posted in the room as a message whose client_msg_id is the attachment id.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django_tenants.utils import schema_context
from ninja import Router

from parlor.api.auth import secret_key_auth
from parlor.api.browser import browser_endpoint, preflight, token_principal
from parlor.api.parsing import json_body
from parlor.api.schemas import Closed, body_schema, responses
from parlor.attachments.grants import download_token_verify, upload_grant_verify
from parlor.attachments.policy import attachment_policy_set, policy_get
from parlor.attachments.selectors import (
    attachment_download,
    attachment_get,
    attachment_view,
)
from parlor.attachments.services import attachment_upload, upload_grant_issue
from parlor.base.errors import PermissionDenied, ValidationFailed
from parlor.base.times import isoformat
from tenants.authentication import host_tenant_check

UPLOAD_PATH = "/api/v1/attachments/uploads/"
GRANT_FIELDS = {"room", "name", "size"}
POLICY_FIELDS = {"max_bytes", "allowed_types"}
# Nothing a file holds may run on Parlor's origin: no sniffing, no script, no plugin, no form.
DOWNLOAD_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
router = Router(tags=["attachments"])


class GrantRequest(Closed):
    """The room a file goes to, its name, and its size if known (refused early when too big)."""

    room: str
    name: str
    size: int | None = None


class GrantOut(Closed):
    """An upload grant: PUT the file's bytes to `upload_url` before `expires_at`."""

    upload_url: str
    attachment: str
    expires_at: str
    max_bytes: int
    allowed_types: list[str]


class AttachmentOut(Closed):
    """An attachment, with a signed download URL that expires."""

    id: str
    room: str
    message: int | None
    name: str
    size: int
    type: str
    width: int | None
    height: int | None
    inline: bool
    url: str


class PolicyIn(Closed):
    """A tenant's attachment policy; null restores a default."""

    max_bytes: int | None = None
    allowed_types: list[str] | None = None


class PolicyOut(Closed):
    """A tenant's attachment policy, defaults filled in."""

    max_bytes: int
    allowed_types: list[str]


@router.api_operation(["OPTIONS"], "/attachments/grants", response=responses(_204=None))
def grants_preflight(request: HttpRequest) -> HttpResponse:
    """Answer the CORS preflight of a page some tenant allows."""
    return preflight(request, methods="POST")


@router.post(
    "/attachments/grants",
    response=responses(_201=GrantOut),
    openapi_extra=body_schema(GrantRequest),
)
@browser_endpoint
def grants_create(request: HttpRequest) -> HttpResponse:
    """Grant the token's visitor or agent one upload to a room it may write to."""
    principal = token_principal(request)
    body = json_body(request, fields=GRANT_FIELDS)
    issued = upload_grant_issue(
        principal=principal,
        room_id=body.get("room"),
        name=body.get("name"),
        size=body.get("size"),
        origin=request.headers.get("Origin"),
    )
    answer = {
        "upload_url": UPLOAD_PATH + issued.grant,
        "attachment": issued.attachment_id,
        "expires_at": isoformat(issued.expires_at),
        "max_bytes": issued.max_bytes,
        "allowed_types": issued.allowed_types,
    }
    return JsonResponse(answer, status=201)


@router.api_operation(["OPTIONS"], "/attachments/uploads/{grant}", response=responses(_204=None))
def upload_preflight(request: HttpRequest, grant: str) -> HttpResponse:
    """Answer the CORS preflight of a page some tenant allows."""
    return preflight(request, methods="PUT")


@router.put(
    "/attachments/uploads/{grant}",
    response=responses(_201=AttachmentOut, _409=None),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    },
)
@browser_endpoint
def upload(request: HttpRequest, grant: str) -> HttpResponse:
    """Take the file a grant allows (the raw body), check it, store it and post its message."""
    verified = upload_grant_verify(grant)
    origin = request.headers.get("Origin")
    if verified.origin and origin is not None and origin != verified.origin:
        raise PermissionDenied("this grant was issued to another page.", code="origin_forbidden")
    host_tenant_check(host=request.headers.get("Host"), tenant_id=verified.tenant_id)
    stored = attachment_upload(
        grant=verified, stream=request, content_length=_content_length(request)
    )
    view = attachment_view(stored, tenant_id=verified.tenant_id)
    return JsonResponse(view.as_json(), status=201)


@router.api_operation(["OPTIONS"], "/attachments/{attachment_id}", response=responses(_204=None))
def attachment_preflight(request: HttpRequest, attachment_id: str) -> HttpResponse:
    """Answer the CORS preflight of a page some tenant allows."""
    return preflight(request, methods="GET")


@router.get("/attachments/{attachment_id}", response=responses(_200=AttachmentOut))
@browser_endpoint
def attachment_read(request: HttpRequest, attachment_id: str) -> HttpResponse:
    """Return an attachment of a room the token may read, with a fresh download URL."""
    principal = token_principal(request)
    found = attachment_get(principal=principal, attachment_id=attachment_id)
    return JsonResponse(found.as_json())


@router.get("/attachments/files/{token}", response=responses(_200=None))
def attachment_file(request: HttpRequest, token: str) -> HttpResponse:
    """Serve the file a signed, unexpired download URL names; never as a page of Parlor's."""
    ticket = download_token_verify(token)
    host_tenant_check(host=request.headers.get("Host"), tenant_id=ticket.tenant_id)
    attachment, file = attachment_download(ticket=ticket)
    inline = attachment_view(attachment, tenant_id=ticket.tenant_id).inline
    content_type = attachment.content_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = FileResponse(
        file, as_attachment=not inline, filename=attachment.name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/attachment-policy", response=responses(_200=PolicyOut), auth=secret_key_auth)
def policy_read(request: HttpRequest) -> HttpResponse:
    """Return the tenant's attachment policy: size limit and accepted (sniffed) types."""
    with schema_context(request.auth.schema_name):
        policy = policy_get()
    return JsonResponse({"max_bytes": policy.max_bytes, "allowed_types": policy.allowed_types})


@router.put(
    "/attachment-policy",
    response=responses(_200=PolicyOut),
    auth=secret_key_auth,
    openapi_extra=body_schema(PolicyIn),
)
def policy_write(request: HttpRequest) -> HttpResponse:
    """Set the tenant's attachment policy; null restores the platform's default."""
    body = json_body(request, fields=POLICY_FIELDS)
    with schema_context(request.auth.schema_name):
        policy = attachment_policy_set(
            max_bytes=body.get("max_bytes"), allowed_types=body.get("allowed_types")
        )
    return JsonResponse({"max_bytes": policy.max_bytes, "allowed_types": policy.allowed_types})


def _content_length(request: HttpRequest) -> int | None:
    raw = request.headers.get("Content-Length")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed("Content-Length is not a number.", code="invalid_header") from None
