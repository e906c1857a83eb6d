"""Plans and overrides: effective quotas, and every bad value refused with nothing changed."""

from __future__ import annotations

import pytest

from parlor.base.errors import ValidationFailed
from tenants.models import Tenant
from tenants.quotas import PLANS, QUOTA_NAMES, quota_value_parse, tenant_plan_set, tenant_quotas

pytestmark = pytest.mark.usefixtures("live_db")


def test_every_plan_sets_every_quota_and_plans_grow():
    order = ["free", "team", "business", "enterprise"]
    assert list(PLANS) == order
    for name in QUOTA_NAMES:
        values = [getattr(PLANS[plan], name) for plan in order]
        assert values == sorted(values) and values[0] >= 1, name


def test_overrides_replace_only_the_quotas_they_name():
    tenant = Tenant(plan="free", quota_overrides={"sockets": 7})
    quotas = tenant_quotas(tenant)
    assert quotas.sockets == 7
    assert quotas.messages_per_minute == PLANS["free"].messages_per_minute


def test_an_unknown_plan_falls_back_to_the_default_plan():
    assert tenant_quotas(Tenant(plan="gold")) == PLANS["team"]


@pytest.mark.parametrize("raw", [0, -1, "0", "-5", "abc", "1.5", "", " ", True, 2.5, None, "1e3"])
def test_zero_negative_or_not_a_whole_number_is_refused(raw):
    with pytest.raises(ValidationFailed) as refused:
        quota_value_parse("sockets", raw)
    assert refused.value.code == "invalid_quota"


def test_a_whole_number_string_is_read():
    assert quota_value_parse("agents", " 12 ") == 12


@pytest.mark.parametrize(
    ("plan", "overrides"),
    [
        ("team", {"sockets": 0}),
        ("team", {"sockets": -3}),
        ("team", {"sockets": "many"}),
        ("team", {"no_such_quota": 5}),
        ("platinum", {}),
        ("team", {"agents": 5, "webhook_endpoints": 0}),
    ],
)
def test_a_bad_plan_or_override_changes_nothing(tenant_bravo, plan, overrides):
    tenant = Tenant.objects.get(pk=tenant_bravo.tenant.pk)
    before = (tenant.plan, dict(tenant.quota_overrides))
    with pytest.raises(ValidationFailed):
        tenant_plan_set(tenant=tenant, plan=plan, overrides=overrides)
    stored = Tenant.objects.get(pk=tenant.pk)
    assert (stored.plan, stored.quota_overrides) == before
