"""The email address a visitor left for follow-up mail is personal data: exported, erased."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from parlor.followup.models import Contact
from parlor.followup.tests.support import contact_leave, say, visitor_start
from parlor.subjects.records import Subject
from parlor.subjects.selectors import subject_export
from parlor.subjects.services import subject_erase

pytestmark = pytest.mark.usefixtures("clean_followup")


@pytest.fixture
def clean_followup(live_db, tenant_alpha):
    yield
    with schema_context(tenant_alpha.tenant.schema_name):
        Contact.objects.all().delete()


def test_erasing_the_visitor_erases_the_address_and_export_shows_it(tenant_alpha):
    client = Client()
    visitor = visitor_start(client, tenant_alpha, "https://shop.alpha.example")
    say(visitor, "hello")
    contact_leave(client, visitor, "erase-me@example.com", name="Eve")
    subject = Subject(kind="visitor", id=visitor.principal.subject)
    with schema_context(tenant_alpha.tenant.schema_name):
        exported = subject_export(subject)
        assert exported["profile"]["contact"]["email"] == "erase-me@example.com"
        removed = subject_erase(tenant=tenant_alpha.tenant, subject=subject)
        assert removed["contacts"] == 1
        assert not Contact.objects.filter(visitor_id=visitor.principal.subject).exists()
