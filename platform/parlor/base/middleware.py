"""One base for Parlor's middleware that serves both Django stacks (WSGI and ASGI)."""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction


class HybridMiddleware:
    """Keep `get_response` and say which stack this instance serves (`is_async`).

    Django builds the chain once: an async `get_response` means this instance is awaited, so
    it marks itself a coroutine function and its `__call__` returns the async path.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
