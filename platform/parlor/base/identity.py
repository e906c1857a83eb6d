"""Who is on the other end of a socket or API call: set by the auth layer, read everywhere else."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PrincipalKind(StrEnum):
    """The kinds of token, each with its own JWT audience."""

    VISITOR = "visitor"
    USER = "user"
    AGENT = "agent"


@dataclass(frozen=True)
class TenantRef:
    """The tenant a connection belongs to: enough to name groups and set the schema."""

    id: int
    slug: str
    schema_name: str


@dataclass(frozen=True)
class Principal:
    """An authenticated visitor, user or agent of one tenant, as its verified token says."""

    kind: PrincipalKind
    subject: str
    name: str
    tenant: TenantRef
    token_id: str
    issued_at: int
    expires_at: int
    rooms: tuple[str, ...] = field(default_factory=tuple)
    key_id: str = ""
    # Profile claims a user token may carry, signed by the tenant: read by parlor.visitors.
    email: str = ""
    attributes: tuple[tuple[str, str | int | float | bool], ...] = ()

    @property
    def is_agent(self) -> bool:
        return self.kind is PrincipalKind.AGENT
