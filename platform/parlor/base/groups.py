"""The one function that names channel-layer groups: always prefixed by the tenant."""

from __future__ import annotations

import re

ROOM_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_GROUP_NAME_LENGTH = 99  # Channels refuses names of 100 characters or more


def room_group_name(tenant_id: int, room_id: str) -> str:
    """Return the group of `room_id` in tenant `tenant_id`: `t.<tenant id>.r.<room id>`."""
    # Tenant ids are integers and room ids contain no '.', so the name splits one way only:
    # tenant 12 + room "3" can never equal tenant 1 + room "23".
    if not isinstance(tenant_id, int) or isinstance(tenant_id, bool) or tenant_id < 0:
        raise ValueError("tenant_id must be a non-negative integer.")
    if not ROOM_ID_PATTERN.fullmatch(room_id):
        raise ValueError("room_id must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.")
    name = f"t.{tenant_id}.r.{room_id}"
    assert len(name) <= MAX_GROUP_NAME_LENGTH
    return name


def tenant_group_name(tenant_id: int) -> str:
    """Return the group that reaches every socket of tenant `tenant_id` (e.g. key revocation)."""
    if not isinstance(tenant_id, int) or isinstance(tenant_id, bool) or tenant_id < 0:
        raise ValueError("tenant_id must be a non-negative integer.")
    return f"t.{tenant_id}.all"


def tenant_agents_group_name(tenant_id: int) -> str:
    """Return the group that reaches every agent socket of tenant `tenant_id` (the inbox)."""
    if not isinstance(tenant_id, int) or isinstance(tenant_id, bool) or tenant_id < 0:
        raise ValueError("tenant_id must be a non-negative integer.")
    return f"t.{tenant_id}.agents"
