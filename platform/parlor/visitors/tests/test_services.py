"""Visitor profiles: signed claims win, the page's word is unverified, `visitor.identified` once."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from parlor.base.conversations import conversation_room_id
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.base.visitor_labels import visitor_label
from parlor.chat import services as chat
from parlor.chat import workflow
from parlor.chat.models import Room
from parlor.visitors import selectors
from parlor.visitors.context import PageIdentity, VisitorContext
from parlor.visitors.models import VisitorProfile
from parlor.visitors.services import visitor_profile_record
from parlor.webhooks.events import VISITOR_IDENTIFIED
from parlor.webhooks.models import WebhookEndpoint, WebhookEvent
from parlor.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.usefixtures("live_db")
PAGE = VisitorContext(
    page_url="https://shop.alpha.example/cart",
    page_title="Cart",
    browser="Chrome 120",
    os="macOS",
    locale="en-GB",
    timezone="Europe/London",
)


@pytest.fixture(autouse=True)
def subscribed(live_db, tenant_alpha):
    """Alpha has an endpoint for visitor.identified; removed with its events afterwards."""
    with schema_context(tenant_alpha.tenant.schema_name):
        webhook_endpoint_create(url="https://hooks.example/in", events=[VISITOR_IDENTIFIED])
    yield
    with schema_context(tenant_alpha.tenant.schema_name):
        WebhookEvent.objects.all().delete()
        WebhookEndpoint.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM public.procrastinate_jobs WHERE queue_name = 'webhooks'")


def principal(created, kind=PrincipalKind.VISITOR, subject=None, name="Visitor", **claims):
    tenant = created.tenant
    return Principal(
        kind=kind,
        subject=subject or f"v_{uuid.uuid4().hex[:22]}",
        name=name,
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="t",
        issued_at=0,
        expires_at=0,
        **claims,
    )


def record(who, context=PAGE, identity=None):
    with schema_context(who.tenant.schema_name):
        return visitor_profile_record(principal=who, context=context, identity=identity)


def identified_events(schema: str, subject: str) -> list[dict]:
    with schema_context(schema):
        return [
            event.payload
            for event in WebhookEvent.objects.filter(type=VISITOR_IDENTIFIED)
            if event.payload["data"]["visitor"]["id"] == subject
        ]


def test_an_anonymous_visit_stores_context_and_no_name(tenant_alpha):
    visitor = principal(tenant_alpha)
    profile = record(visitor)
    assert (profile.page_url, profile.browser, profile.timezone) == (
        PAGE.page_url,
        "Chrome 120",
        "Europe/London",
    )
    assert profile.name == "" and profile.email == "" and profile.attributes == {}
    assert profile.first_seen == profile.last_seen and profile.identified_at is None
    assert identified_events("alpha", visitor.subject) == []
    again = record(visitor, VisitorContext(page_url="https://shop.alpha.example/pay"))
    assert again.pk == profile.pk and again.page_url.endswith("/pay")
    assert again.browser == "Chrome 120", "a field left out keeps its value"
    assert again.first_seen == profile.first_seen and again.last_seen > profile.last_seen


def test_identify_stores_an_unverified_name_and_enqueues_visitor_identified_once(tenant_alpha):
    visitor = principal(tenant_alpha)
    record(visitor)
    profile = record(visitor, identity=PageIdentity(name="Ana", email="ana@example.com"))
    assert (profile.name, profile.name_verified) == ("Ana", False)
    assert (profile.email, profile.email_verified) == ("ana@example.com", False)
    record(visitor, identity=PageIdentity(name="Ana Maria"))
    [event] = identified_events("alpha", visitor.subject)
    assert event["type"] == VISITOR_IDENTIFIED and event["tenant"] == "alpha"
    assert event["room"] == conversation_room_id(
        kind=PrincipalKind.VISITOR, subject=visitor.subject
    )
    assert event["data"]["visitor"] == {
        "kind": "visitor",
        "id": visitor.subject,
        "name": "Ana",
        "name_verified": False,
        "email": "ana@example.com",
        "email_verified": False,
        "attributes": {},
    }


def test_a_rolled_back_identify_enqueues_nothing(tenant_alpha):
    visitor = principal(tenant_alpha)
    with pytest.raises(RuntimeError), schema_context("alpha"), transaction.atomic():
        visitor_profile_record(principal=visitor, context=PAGE, identity=PageIdentity(name="Bo"))
        raise RuntimeError("the cause rolls back")
    assert identified_events("alpha", visitor.subject) == []
    with schema_context("alpha"):
        assert not VisitorProfile.objects.filter(subject=visitor.subject).exists()


def test_signed_claims_win_and_only_they_carry_attributes(tenant_alpha):
    user = principal(
        tenant_alpha,
        PrincipalKind.USER,
        subject=f"u-{uuid.uuid4().hex[:8]}",
        name="Dana Signed",
        email="dana@alpha.example",
        attributes=(("plan", "pro"), ("seats", 12)),
    )
    profile = record(user, identity=PageIdentity(name="Forged Name", email="forged@evil.example"))
    assert (profile.name, profile.name_verified) == ("Dana Signed", True)
    assert (profile.email, profile.email_verified) == ("dana@alpha.example", True)
    assert profile.attributes == {"plan": "pro", "seats": 12}
    [event] = identified_events("alpha", user.subject)
    assert event["data"]["visitor"]["name_verified"] is True


def test_a_visitor_tokens_placeholder_name_is_not_a_name(tenant_alpha):
    visitor = principal(tenant_alpha, name="Blue Otter #0001", email="x@y.example")
    profile = record(visitor)
    assert profile.name == "" and profile.email == "" and profile.attributes == {}


def test_agents_have_no_visitor_profile(tenant_alpha):
    with pytest.raises(ValueError):
        record(principal(tenant_alpha, PrincipalKind.AGENT, subject="staff-1"))


def test_titles_are_names_or_stable_labels_never_raw_ids(tenant_alpha):
    named, anonymous = principal(tenant_alpha), principal(tenant_alpha)
    record(named, identity=PageIdentity(name="Ana"))
    record(anonymous)
    with schema_context("alpha"):
        titles = selectors.visitor_titles(
            [("visitor", named.subject), ("visitor", anonymous.subject)]
        )
    assert titles[("visitor", named.subject)] == "Ana"
    label = titles[("visitor", anonymous.subject)]
    assert label == visitor_label(kind="visitor", subject=anonymous.subject)
    assert anonymous.subject not in label and "#" in label


def test_labels_are_stable_and_spread():
    assert visitor_label(kind="visitor", subject="v_1") == visitor_label(
        kind="visitor", subject="v_1"
    )
    labels = {visitor_label(kind="visitor", subject=f"v_{n}") for n in range(1000)}
    assert len(labels) > 990


def test_the_card_counts_earlier_conversations(tenant_alpha):
    user = principal(tenant_alpha, PrincipalKind.USER, subject=f"u-{uuid.uuid4().hex[:8]}")
    room = conversation_room_id(kind=PrincipalKind.USER, subject=user.subject)
    with schema_context("alpha"):
        card = selectors.visitor_card(kind="user", subject=user.subject)
        assert card.earlier_conversations == 0 and card.first_seen is None
        chat.message_send(room_id=room, sender=user, body="hi", client_msg_id=uuid.uuid4().hex)
        assert selectors.visitor_conversation_count(kind="user", subject=user.subject) == 1
        card = selectors.visitor_card(kind="user", subject=user.subject, current=True)
        assert card.earlier_conversations == 0, "the conversation shown is not an earlier one"
        # Resolved, then the visitor writes again: a new conversation in the same room.
        for _ in range(2):
            workflow.conversation_update(
                tenant=user.tenant,
                room_id=room,
                actor=workflow.Actor(name="Dana"),
                status="resolved",
            )
            chat.message_send(
                room_id=room, sender=user, body="again", client_msg_id=uuid.uuid4().hex
            )
        # A status other than resolved does not end the conversation.
        workflow.conversation_update(
            tenant=user.tenant, room_id=room, actor=workflow.Actor(name="Dana"), status="pending"
        )
        assert Room.objects.get(id=room).status == "pending"
        assert selectors.visitor_conversation_count(kind="user", subject=user.subject) == 3
        card = selectors.visitor_card(kind="user", subject=user.subject, current=True)
        assert card.earlier_conversations == 2


def test_another_tenant_never_sees_the_profile(tenant_alpha, tenant_bravo):
    visitor = principal(tenant_alpha)
    record(visitor, identity=PageIdentity(name="Alpha Only"))
    with schema_context(tenant_bravo.tenant.schema_name):
        assert selectors.visitor_profile_get(kind="visitor", subject=visitor.subject) is None
        assert selectors.visitor_card(kind="visitor", subject=visitor.subject).name == ""


def test_a_stored_url_that_is_not_http_is_never_a_link(tenant_alpha):
    visitor = principal(tenant_alpha)
    record(visitor)
    with schema_context("alpha"):
        # Written around the service (as a bad migration or raw SQL could): still no link.
        VisitorProfile.objects.filter(subject=visitor.subject).update(page_url="javascript:x()")
        card = selectors.visitor_card(kind="visitor", subject=visitor.subject)
    assert card.page_link == "" and card.page_url == "javascript:x()"
