"""Staff from before roles get one: the earliest active one owns the tenant, the rest admin."""

from __future__ import annotations

import importlib
import uuid

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django_tenants.utils import schema_context

from parlor.team.models import StaffRole

pytestmark = pytest.mark.usefixtures("live_db")

MIGRATION = importlib.import_module("parlor.team.migrations.0002_roles_for_existing_staff")


class RolledBack(Exception):
    """Undo the test's changes to the shared tenant."""


def test_existing_staff_get_one_owner_and_admins(tenant_bravo):
    User = get_user_model()
    with schema_context("bravo"), pytest.raises(RolledBack), transaction.atomic():
        StaffRole.objects.all().delete()  # as before roles existed
        inactive = User.objects.create_user(username=f"i-{uuid.uuid4().hex[:6]}", is_staff=True)
        inactive.is_active = False
        inactive.save()
        User.objects.create_user(username=f"a-{uuid.uuid4().hex[:6]}", is_staff=True)
        User.objects.create_user(username=f"b-{uuid.uuid4().hex[:6]}", is_staff=True)
        customer = User.objects.create_user(username=f"c-{uuid.uuid4().hex[:6]}")
        MIGRATION.roles_for_existing_staff(apps, None)
        roles = dict(StaffRole.objects.values_list("user_id", "role"))
        staff = User.objects.filter(is_staff=True).order_by("pk")
        first_active = staff.filter(is_active=True).first()
        assert roles[first_active.pk] == "owner"
        assert list(roles.values()).count("owner") == 1
        assert roles[inactive.pk] == "admin"
        assert customer.pk not in roles
        assert set(roles) == set(staff.values_list("pk", flat=True))
        raise RolledBack
