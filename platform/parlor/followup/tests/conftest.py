"""Follow-up fixtures: contacts, settings, chat rows and follow-up jobs removed after each test."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from parlor.followup.models import AgentPreference, Contact, FollowupSettings


@pytest.fixture
def clean_followup(live_db, tenant_alpha, tenant_bravo):
    """Yield, then delete follow-up rows and jobs the test left."""
    yield
    for created in (tenant_alpha, tenant_bravo):
        with schema_context(created.tenant.schema_name):
            Contact.objects.all().delete()
            FollowupSettings.objects.all().delete()
            AgentPreference.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.procrastinate_jobs WHERE queue_name = 'followup'")
    connection.set_schema_to_public()
