"""Who a data subject is: a visitor or a user of one tenant, by the id the tenant knows."""

from __future__ import annotations

from dataclasses import dataclass

from parlor.base.errors import NotFound

SUBJECT_KINDS = ("visitor", "user")
MAX_SUBJECT_ID_LENGTH = 255


@dataclass(frozen=True)
class Subject:
    """A visitor (`v_...`) or a user (the tenant's own user id)."""

    kind: str
    id: str


def subject_parse(*, kind: str, subject_id: str) -> Subject:
    """Return the subject, or NotFound for a kind or id no subject can have."""
    if kind not in SUBJECT_KINDS or not 0 < len(subject_id) <= MAX_SUBJECT_ID_LENGTH:
        raise NotFound("no such subject.", code="subject_not_found")
    return Subject(kind=kind, id=subject_id)
