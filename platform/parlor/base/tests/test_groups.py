"""Tests of group naming: tenant-prefixed, unambiguous, legal for Channels."""

from __future__ import annotations

import re

import pytest
from channels.layers import BaseChannelLayer

from parlor.base.groups import room_group_name, tenant_group_name

LEGAL = re.compile(r"[A-Za-z0-9._-]{1,99}")


def test_group_name_is_tenant_prefixed():
    assert room_group_name(7, "lobby") == "t.7.r.lobby"


def test_longest_legal_ids_stay_under_100_characters_and_channels_accepts_them():
    name = room_group_name(2**63 - 1, "r" * 64)
    assert len(name) < 100
    assert LEGAL.fullmatch(name)
    assert BaseChannelLayer().require_valid_group_name(name)


@pytest.mark.parametrize(("a", "b"), [((1, "23"), (12, "3")), ((1, "2-3"), (12, "3"))])
def test_different_tenant_and_room_pairs_never_collide(a, b):
    assert room_group_name(*a) != room_group_name(*b)


@pytest.mark.parametrize("room", ["b.c", "", "r" * 65, "a b", "ä", "../x", "a:b"])
def test_room_ids_that_could_be_ambiguous_or_illegal_are_refused(room):
    with pytest.raises(ValueError, match="room_id"):
        room_group_name(1, room)


@pytest.mark.parametrize("tenant", [-1, "1", True, 1.0])
def test_tenant_id_must_be_a_non_negative_integer(tenant):
    with pytest.raises(ValueError, match="tenant_id"):
        room_group_name(tenant, "lobby")
    with pytest.raises(ValueError, match="tenant_id"):
        tenant_group_name(tenant)


def test_tenant_group_cannot_equal_any_room_group():
    assert tenant_group_name(1) == "t.1.all"
    assert not tenant_group_name(1).startswith("t.1.r.")
