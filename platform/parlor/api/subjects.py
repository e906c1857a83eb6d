"""`/api/v1/subjects/{kind}/{id}`: export or erase everything stored about a visitor or user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django_tenants.utils import schema_context
from ninja import Router

from parlor.api.auth import API_ACTOR, secret_key_auth
from parlor.api.schemas import Closed, responses
from parlor.audit import actions
from parlor.audit.services import audit_record
from parlor.subjects.records import subject_parse
from parlor.subjects.selectors import subject_export
from parlor.subjects.services import subject_erase

router = Router(tags=["subjects"], auth=secret_key_auth)


class SubjectExport(Closed):
    """Everything Parlor stores about one subject (docs/api.md describes each part)."""

    subject: dict[str, str]
    profile: dict[str, Any]
    conversations: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    read_positions: list[dict[str, Any]]


class Erased(Closed):
    """How many rows of each kind the erasure removed."""

    erased: dict[str, int]


@router.get(
    "/subjects/{kind}/{subject_id}/export",
    response=responses(_200=SubjectExport),
    url_name="api-subject-export",
)
def subjects_export(request: HttpRequest, kind: str, subject_id: str) -> HttpResponse:
    """Return the subject's profile, conversations, messages and read positions as JSON."""
    subject = subject_parse(kind=kind, subject_id=subject_id)
    with schema_context(request.auth.schema_name):
        answer = JsonResponse(subject_export(subject))
        # The kind only, never the id: an erasure must not leave the id behind in the log.
        audit_record(actor=API_ACTOR, action=actions.PERSONAL_DATA_EXPORTED, target=subject.kind)
    return answer


@router.delete(
    "/subjects/{kind}/{subject_id}", response=responses(_200=Erased), url_name="api-subject"
)
def subjects_erase(request: HttpRequest, kind: str, subject_id: str) -> HttpResponse:
    """Erase the subject's data and close its sockets; the log keeps only counts."""
    subject = subject_parse(kind=kind, subject_id=subject_id)
    with schema_context(request.auth.schema_name):
        removed = subject_erase(tenant=request.auth, subject=subject)
        audit_record(
            actor=API_ACTOR,
            action=actions.PERSONAL_DATA_ERASED,
            target=subject.kind,
            detail={"records": sum(removed.values())},
        )
    return JsonResponse({"erased": removed})
