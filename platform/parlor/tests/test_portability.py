"""exporttenant / importtenant: one tenant out of a running platform and back in, as itself
after a loss, or as a renamed copy next to the original (tenants.portability)."""

from __future__ import annotations

import secrets
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from parlor.dashboard.services import staff_create
from tenants.models import ApiKey, Domain, SigningKey, Tenant
from tenants.services import tenant_create, tenant_delete

pytestmark = [
    pytest.mark.usefixtures("live_db"),
    pytest.mark.skipif(
        any(shutil.which(tool) is None for tool in ("pg_dump", "pg_restore", "psql")),
        reason="pg_dump, pg_restore or psql is missing (apt-get install postgresql-client)",
    ),
]


def staff_names(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT username FROM "{schema}".auth_user ORDER BY username')
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def exported(tmp_path):
    slug = f"port_{secrets.token_hex(3)}"
    created = tenant_create(slug=slug, name="Portable", domain=f"{slug.replace('_', '-')}.example")
    staff_create(tenant=created.tenant, username="dana", password="correct-horse-battery",
                 name="Dana", role="owner")  # fmt: skip
    connection.set_schema_to_public()
    archive = tmp_path / "tenant.tar"
    call_command("exporttenant", slug, "--output", str(archive))
    yield created, archive
    for leftover in Tenant.objects.filter(slug__startswith=slug):
        tenant_delete(slug=leftover.slug)


def test_a_renamed_copy_runs_next_to_the_original(exported):
    created, archive = exported
    original = created.tenant
    copy_slug = f"{original.slug}_copy"
    call_command("importtenant", str(archive), "--slug", copy_slug, "--domain", "copy.example")
    copy = Tenant.objects.get(slug=copy_slug)
    assert copy.schema_name == copy_slug
    assert staff_names(copy_slug) == staff_names(original.schema_name) == ["dana"]
    assert [d.domain for d in Domain.objects.filter(tenant=copy)] == ["copy.example"]
    assert copy.publishable_key != original.publishable_key
    assert not ApiKey.objects.filter(tenant=copy).exists(), "an API key belongs to one tenant"
    kids = {key.kid for key in SigningKey.objects.filter(tenant=copy)}
    assert kids == {key.kid for key in SigningKey.objects.filter(tenant=original)}


def test_a_lost_tenant_comes_back_whole(exported):
    created, archive = exported
    slug, key_hashes = (
        created.tenant.slug,
        set(ApiKey.objects.filter(tenant=created.tenant).values_list("key_hash", flat=True)),
    )
    domain = created.domain
    tenant_delete(slug=slug)
    call_command("importtenant", str(archive))
    back = Tenant.objects.get(slug=slug)
    assert staff_names(slug) == ["dana"]
    assert set(ApiKey.objects.filter(tenant=back).values_list("key_hash", flat=True)) == key_hashes
    assert back.publishable_key == created.tenant.publishable_key
    assert [d.domain for d in Domain.objects.filter(tenant=back)] == [domain]


def test_an_import_over_a_live_tenant_is_refused_and_changes_nothing(exported):
    created, archive = exported
    with pytest.raises(CommandError, match="exists already"):
        call_command("importtenant", str(archive))
    with pytest.raises(CommandError, match="needs --domain"):
        call_command("importtenant", str(archive), "--slug", f"{created.tenant.slug}_x")
    with pytest.raises(CommandError, match="another tenant"):
        call_command("importtenant", str(archive), "--slug", f"{created.tenant.slug}_y",
                     "--domain", created.domain)  # fmt: skip
    assert not Tenant.objects.filter(slug__in=[f"{created.tenant.slug}_x",
                                               f"{created.tenant.slug}_y"]).exists()  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", [f"{created.tenant.slug}_y"]
        )
        assert cursor.fetchone() is None, "the restored schema was dropped again"


def original_y(created) -> str:
    return f"{created.tenant.slug}_y"
