"""How async code reaches the ORM: inside the tenant's schema, in the same call, off the loop.

Everything that is not the chat hot path (auth caches on a miss, tests, dashboard helpers)
goes through here. The hot path (join, send, read, history, gap fill) does not: it runs
schema-qualified SQL on the event loop through `parlor.base.pool` (see parlor.chat.store).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from channels.db import database_sync_to_async
from django_tenants.utils import schema_context

P = ParamSpec("P")
R = TypeVar("R")


def _call_in_schema(
    schema_name: str, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> R:
    # django-tenants keeps the schema on the thread's connection and Channels runs every
    # database_sync_to_async call of a process on one shared thread: the schema must be set
    # inside each call, never once per socket.
    with schema_context(schema_name):
        return function(*args, **kwargs)


async def in_schema(
    schema_name: str, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> R:
    """Run the sync `function(*args, **kwargs)` with `schema_name` set, off the event loop."""
    return await database_sync_to_async(_call_in_schema)(schema_name, function, *args, **kwargs)


async def in_public_schema(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the synchronous `function(*args, **kwargs)` in the public schema, off the event loop."""
    return await in_schema("public", function, *args, **kwargs)
