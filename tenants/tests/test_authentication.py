"""Tests of the socket checks' cached reads: tenant origins and domain owners, per process."""

from __future__ import annotations

import secrets

import pytest
from django.db import connection

from parlor.base.errors import PermissionDenied
from parlor.base.identity import PrincipalKind
from tenants import authentication
from tenants.authentication import DOMAIN_OWNERS, socket_authenticate
from tenants.models import Domain
from tenants.services import tenant_create, tenant_delete
from tenants.tokens import token_issue

pytestmark = pytest.mark.usefixtures("live_db")
SHOP = "https://shop.gatekeeper.example"


@pytest.fixture(scope="module")
def gatekeeper(django_db_setup, django_db_blocker):
    """A tenant of its own, so editing its origins disturbs no other test."""
    with django_db_blocker.unblock():
        created = tenant_create(
            slug="gatekeeper",
            name="Gatekeeper",
            domain="gatekeeper.localhost",
            allowed_origins=[SHOP],
        )
        yield created.tenant
        tenant_delete(slug="gatekeeper")


@pytest.fixture
def spare_domain(tenant_bravo):
    """A secondary domain of bravo's, removed afterwards."""
    # Not primary: saving a primary Domain demotes its tenant's other domains.
    domain = Domain.objects.create(
        domain=f"spare-{secrets.token_hex(4)}.localhost",
        tenant=tenant_bravo.tenant,
        is_primary=False,
    )
    yield domain
    Domain.objects.filter(pk=domain.pk).delete()


def visitor_token(tenant) -> str:
    return token_issue(tenant=tenant, kind=PrincipalKind.VISITOR, subject="v-1", name="V").token


def refused(code: str, **kwargs) -> None:
    with pytest.raises(PermissionDenied) as caught:
        socket_authenticate(**kwargs)
    assert caught.value.code == code


def test_an_origin_removed_in_this_process_is_refused_by_the_next_handshake(auth_clock, gatekeeper):
    token = visitor_token(gatekeeper)
    socket_authenticate(token=token, origin=SHOP, host=None)  # tenant cached with its origins
    gatekeeper.allowed_origins = []
    gatekeeper.save(update_fields=["allowed_origins"])
    try:
        refused("origin_forbidden", token=token, origin=SHOP, host=None)
    finally:
        gatekeeper.allowed_origins = [SHOP]
        gatekeeper.save(update_fields=["allowed_origins"])
    socket_authenticate(token=token, origin=SHOP, host=None)


def test_a_domain_moved_in_this_process_is_seen_by_the_next_handshake(
    auth_clock, tenant_alpha, spare_domain
):
    token = visitor_token(tenant_alpha.tenant)
    origin = "https://shop.alpha.example"
    refused("tenant_mismatch", token=token, origin=origin, host=spare_domain.domain)
    spare_domain.tenant = tenant_alpha.tenant
    spare_domain.save()
    socket_authenticate(token=token, origin=origin, host=spare_domain.domain)


def test_a_domain_moved_by_another_process_is_seen_after_the_bound(
    auth_clock, tenant_alpha, spare_domain
):
    token = visitor_token(tenant_alpha.tenant)
    origin = "https://shop.alpha.example"
    socket_authenticate(token=token, origin=origin, host="alpha.localhost")
    refused("tenant_mismatch", token=token, origin=origin, host=spare_domain.domain)
    with connection.cursor() as cursor:  # as another server process would: no signal here
        cursor.execute(
            "UPDATE public.tenants_domain SET tenant_id = %s WHERE id = %s",
            [tenant_alpha.tenant.id, spare_domain.pk],
        )
    auth_clock.past_the_bound()
    socket_authenticate(token=token, origin=origin, host=spare_domain.domain)


def test_many_host_names_never_grow_the_domain_cache_past_its_bound(
    auth_clock, tenant_alpha, monkeypatch
):
    monkeypatch.setattr(DOMAIN_OWNERS, "max_entries", 8)
    token = visitor_token(tenant_alpha.tenant)
    for _ in range(50):
        host = f"{secrets.token_hex(8)}.example"
        socket_authenticate(token=token, origin="https://shop.alpha.example", host=host)
        assert len(authentication.DOMAIN_OWNERS) <= 8
