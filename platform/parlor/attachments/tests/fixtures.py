"""Attachment test fixtures: files in a folder of each test's own, policies restored."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context


@pytest.fixture
def media(tmp_path, settings):
    """The attachments' storage, as files under a fresh temporary folder; yields the folder."""
    storages = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }
    with override_settings(STORAGES=storages):
        yield tmp_path / "media"


@pytest.fixture
def clean_policies(live_db, tenant_alpha, tenant_bravo):
    """Restore both tenants' default attachment policy after the test."""
    from parlor.attachments.policy import attachment_policy_set

    yield
    for created in (tenant_alpha, tenant_bravo):
        with schema_context(created.tenant.schema_name):
            attachment_policy_set(max_bytes=None, allowed_types=None)
