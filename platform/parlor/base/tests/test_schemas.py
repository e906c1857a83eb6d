"""A schema name reaches SQL only as a TenantSchema built from a TenantRef, and only if safe."""

from __future__ import annotations

import pytest

from parlor.base.identity import TenantRef
from parlor.base.schemas import SchemaRefused, TenantSchema, tenant_schema

HOSTILE_NAMES = [
    'alpha"; DROP SCHEMA bravo CASCADE; --',
    'al"pha',
    "al'pha",
    "alpha.chat_message",
    "public",
    "information_schema",
    "pg_catalog",
    "pg_toast",
    "ALPHA",
    "alph\u0430",  # Cyrillic a
    "café",
    "al pha",
    "1alpha",
    "",
    "a" * 64,
    "alpha\x00",
    "alpha\n",
]


def ref(schema_name: object) -> TenantRef:
    return TenantRef(id=1, slug="x", schema_name=schema_name)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_unsafe_schema_names_are_refused(name):
    with pytest.raises(SchemaRefused) as refused:
        tenant_schema(ref(name))
    assert refused.value.code == "internal"
    assert name not in refused.value.detail or not name


def test_a_safe_name_is_kept():
    assert tenant_schema(ref("alpha_2")).name == "alpha_2"
    assert tenant_schema(ref("alpha_2")) == tenant_schema(ref("alpha_2"))


def test_a_tenant_schema_cannot_be_built_from_a_string():
    with pytest.raises(TypeError):
        TenantSchema("alpha")
    with pytest.raises(TypeError):
        tenant_schema("alpha")  # type: ignore[arg-type]


def test_a_non_string_schema_name_is_refused():
    with pytest.raises(SchemaRefused):
        tenant_schema(ref(None))
