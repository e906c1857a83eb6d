"""The team's rules: first user owns, last owner stays, admins never make or touch owners."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from parlor.audit.models import AuditEntry
from parlor.base.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from parlor.team import services
from parlor.team.models import StaffRole
from parlor.team.roles import Role
from parlor.team.selectors import active_owner_count, staff_role_get

pytestmark = pytest.mark.usefixtures("live_db")


def _staff(created, role: str):
    with schema_context(created.tenant.schema_name):
        user = get_user_model().objects.create_user(
            username=f"t-{uuid.uuid4().hex[:10]}", is_staff=True
        )
        services.staff_role_assign(user=user, role=role)
        return user


@pytest.fixture
def sole_owner(tenant_alpha) -> Iterator[object]:
    """Alpha with exactly one active owner (others made admins for the test, then restored)."""
    with schema_context("alpha"):
        others = list(StaffRole.objects.filter(role=Role.OWNER).values_list("pk", flat=True))
        StaffRole.objects.filter(pk__in=others).update(role=Role.ADMIN)
    owner = _staff(tenant_alpha, Role.OWNER)
    yield owner
    with schema_context("alpha"):
        StaffRole.objects.filter(pk__in=others).update(role=Role.OWNER)


def test_the_last_owner_cannot_be_demoted_or_deactivated(sole_owner, tenant_alpha):
    with schema_context("alpha"):
        assert active_owner_count() == 1
        with pytest.raises(Conflict) as demoted:
            services.staff_role_change(actor=sole_owner, user_id=sole_owner.pk, role=Role.ADMIN)
        assert demoted.value.code == "last_owner"
        assert staff_role_get(user=sole_owner) == Role.OWNER


def test_an_owner_may_step_down_once_another_owner_exists(sole_owner, tenant_alpha):
    second = _staff(tenant_alpha, Role.ADMIN)
    with schema_context("alpha"):
        services.staff_role_change(actor=sole_owner, user_id=second.pk, role=Role.OWNER)
        services.staff_role_change(actor=sole_owner, user_id=sole_owner.pk, role=Role.AGENT)
        assert staff_role_get(user=sole_owner) == Role.AGENT
        assert active_owner_count() == 1
        # The new sole owner is protected in turn, from deactivation too.
        with pytest.raises(Conflict):
            services.staff_role_change(actor=second, user_id=second.pk, role=Role.ADMIN)
        services.staff_role_change(actor=second, user_id=sole_owner.pk, role=Role.OWNER)


def test_admins_cannot_make_change_or_deactivate_owners(sole_owner, tenant_alpha):
    admin = _staff(tenant_alpha, Role.ADMIN)
    agent = _staff(tenant_alpha, Role.AGENT)
    with schema_context("alpha"):
        with pytest.raises(PermissionDenied):
            services.staff_role_change(actor=admin, user_id=agent.pk, role=Role.OWNER)
        with pytest.raises(PermissionDenied):
            services.staff_role_change(actor=admin, user_id=sole_owner.pk, role=Role.AGENT)
        with pytest.raises(PermissionDenied):
            services.staff_deactivate(
                tenant=tenant_alpha.tenant, actor=admin, user_id=sole_owner.pk
            )
        with pytest.raises(PermissionDenied):
            services.staff_grant_check(actor=admin, role=Role.OWNER)
        assert staff_role_get(user=agent) == Role.AGENT
        # What admins may do: promote an agent to admin, and deactivate an agent.
        services.staff_role_change(actor=admin, user_id=agent.pk, role=Role.ADMIN)
        assert staff_role_get(user=agent) == Role.ADMIN


def test_agents_change_nobody(tenant_alpha):
    agent = _staff(tenant_alpha, Role.AGENT)
    other = _staff(tenant_alpha, Role.AGENT)
    with schema_context("alpha"):
        with pytest.raises(PermissionDenied):
            services.staff_role_change(actor=agent, user_id=other.pk, role=Role.ADMIN)
        with pytest.raises(PermissionDenied):
            services.staff_deactivate(tenant=tenant_alpha.tenant, actor=agent, user_id=other.pk)


def test_nobody_deactivates_themselves_and_deactivation_is_audited(sole_owner, tenant_alpha):
    agent = _staff(tenant_alpha, Role.AGENT)
    with schema_context("alpha"):
        with pytest.raises(Conflict):
            services.staff_deactivate(
                tenant=tenant_alpha.tenant, actor=sole_owner, user_id=sole_owner.pk
            )
        services.staff_deactivate(tenant=tenant_alpha.tenant, actor=sole_owner, user_id=agent.pk)
        agent.refresh_from_db()
        assert not agent.is_active
        entry = AuditEntry.objects.order_by("-id").first()
        assert (entry.action, entry.actor, entry.target) == (
            "staff.deactivated",
            f"staff-{sole_owner.pk}",
            agent.username,
        )
        services.staff_reactivate(actor=sole_owner, user_id=agent.pk)
        agent.refresh_from_db()
        assert agent.is_active


def test_a_user_id_that_is_not_staff_here_is_not_found(sole_owner):
    # Ids are per schema: another tenant's users are simply not in this one.
    with schema_context("alpha"):
        missing = get_user_model().objects.order_by("-pk").first().pk + 1000
        with pytest.raises(NotFound):
            services.staff_role_change(actor=sole_owner, user_id=missing, role=Role.ADMIN)


def test_an_unknown_role_is_refused(sole_owner):
    with schema_context("alpha"), pytest.raises(ValidationFailed):
        services.staff_role_change(actor=sole_owner, user_id=sole_owner.pk, role="root")
