"""The Content-Security-Policy of dashboard pages that need no script: the login page."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpResponse

# No script at all, styles and images from Parlor only, forms post back to Parlor only, and no
# framing: a password field that no injected markup can read, restyle or overlay.
LOGIN_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def content_security_policy(policy: str) -> Callable:
    """Decorate a view so that every response it returns carries `policy`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(*args, **kwargs) -> HttpResponse:
            response = view(*args, **kwargs)
            response["Content-Security-Policy"] = policy
            return response

        return wrapped

    return decorator
