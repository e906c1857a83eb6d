"""`POST /api/v1/revocations`: revoke a token id, a signing key, or a subject's older tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpRequest, JsonResponse
from ninja import Router

from parlor.api.auth import secret_key_auth
from parlor.api.parsing import json_body, optional_int
from parlor.api.schemas import Closed, body_schema, responses
from parlor.base.errors import ValidationFailed
from parlor.base.times import isoformat
from tenants.revocation import jti_revoke, key_revoke, subject_revoke

FIELDS = {"jti", "kid", "subject", "issued_before"}
FORMS = ({"jti"}, {"kid"}, {"subject"}, {"subject", "issued_before"})
router = Router(tags=["revocations"])


class RevocationRequest(Closed):
    """Exactly one of {jti}, {kid} or {subject, issued_before?}."""

    jti: str | None = None
    kid: str | None = None
    subject: str | None = None
    issued_before: int | None = None


class Revoked(Closed):
    """What was revoked."""

    revoked: str
    jti: str | None = None
    kid: str | None = None
    subject: str | None = None
    issued_before: str | None = None


@router.post(
    "/revocations",
    auth=secret_key_auth,
    response=responses(_201=Revoked),
    openapi_extra=body_schema(RevocationRequest),
    url_name="api-revocations",
)
def revocations_create(request: HttpRequest) -> JsonResponse:
    """Revoke what the body names, for the tenant whose secret key authenticates the request."""
    tenant = request.auth
    body = json_body(request, fields=FIELDS)
    if set(body) not in FORMS:
        raise ValidationFailed(
            "send exactly one of {jti}, {kid} or {subject, issued_before?}.", code="invalid_form"
        )
    if "jti" in body:
        jti_revoke(tenant=tenant, jti=body["jti"])
        return JsonResponse({"revoked": "jti", "jti": body["jti"]}, status=201)
    if "kid" in body:
        key_revoke(tenant=tenant, kid=body["kid"])
        return JsonResponse({"revoked": "kid", "kid": body["kid"]}, status=201)
    moment = subject_revoke(tenant=tenant, subject=body["subject"], issued_before=_moment(body))
    answer = {"revoked": "subject", "subject": body["subject"], "issued_before": isoformat(moment)}
    return JsonResponse(answer, status=201)


def _moment(body: dict) -> datetime | None:
    seconds = optional_int(body, "issued_before")
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValidationFailed("issued_before is out of range.", code="invalid_time") from None
