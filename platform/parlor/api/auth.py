"""The API's one authentication scheme: a tenant's secret key as a bearer token."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from tenants.authentication import secret_key_authenticate
from tenants.models import Tenant

# Who the audit log names for a change made with a secret API key.
API_ACTOR = "api-key"


class SecretKeyAuth(HttpBearer):
    """`Authorization: Bearer sk_...`; the tenant is then `request.auth`."""

    def __call__(self, request: HttpRequest) -> Tenant:
        # tenants.authentication reads the header itself, so its refusals keep their wording.
        return secret_key_authenticate(
            authorization=request.headers.get("Authorization"), host=request.headers.get("Host")
        )

    def authenticate(self, request: HttpRequest, token: str) -> Tenant:
        """Unused: __call__ authenticates."""
        raise NotImplementedError


secret_key_auth = SecretKeyAuth()
