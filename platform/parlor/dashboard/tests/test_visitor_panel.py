"""The transcript's visitor panel and visitor titles: names or friendly labels, shown as text."""

from __future__ import annotations

import uuid

import pytest
from django_tenants.utils import schema_context

from parlor.base.conversations import conversation_room_id
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.base.visitor_labels import visitor_label
from parlor.chat import services as chat_services
from parlor.dashboard.tests.conftest import login
from parlor.dashboard.tests.test_pages import visitor_writes
from parlor.visitors.context import PageIdentity, VisitorContext
from parlor.visitors.services import visitor_profile_record

pytestmark = pytest.mark.usefixtures("live_db")
XSS = "<img src=x onerror=alert(1)>"


def profile(created, subject: str, *, kind=PrincipalKind.VISITOR, identity=None, **claims):
    tenant = created.tenant
    who = Principal(
        kind=kind,
        subject=subject,
        name=claims.pop("name", "Visitor"),
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="t",
        issued_at=0,
        expires_at=0,
        **claims,
    )
    context = VisitorContext(
        page_url='https://shop.alpha.example/pricing?a="b"',
        page_title=f"Pricing {XSS}",
        browser="Firefox 121",
        os="Linux",
        locale="de-DE",
        timezone="Europe/Berlin",
    )
    with schema_context(tenant.schema_name):
        visitor_profile_record(principal=who, context=context, identity=identity)


def test_the_panel_shows_name_page_and_browser_as_text(alpha_staff):
    subject = f"v_{uuid.uuid4().hex[:22]}"
    room = visitor_writes(alpha_staff.created, "hello", subject)
    profile(alpha_staff.created, subject, identity=PageIdentity(name=f"Ana {XSS}"))
    page = login(alpha_staff).get(f"/dashboard/conversations/{room}").content.decode()
    assert 'class="visitor-panel card"' in page
    assert XSS not in page, "names and titles are escaped"
    assert "Ana &lt;img src=x onerror=alert(1)&gt;" in page
    assert "unverified" in page
    assert "Pricing &lt;img" in page
    assert 'href="https://shop.alpha.example/pricing?a=&quot;b&quot;"' in page
    assert "Firefox 121 on Linux" in page and "de-DE · Europe/Berlin" in page
    assert visitor_label(kind="visitor", subject=subject) in page
    assert "<h1>Ana &lt;img" in page, "the title is the visitor's name"


def test_a_visitor_without_a_name_is_a_friendly_label_never_the_raw_id(alpha_staff):
    subject = f"v_{uuid.uuid4().hex[:22]}"
    room = visitor_writes(alpha_staff.created, "anonymous hello", subject)
    client = login(alpha_staff)
    label = visitor_label(kind="visitor", subject=subject)
    listing = client.get("/dashboard/").content.decode()
    transcript = client.get(f"/dashboard/conversations/{room}").content.decode()
    for page in (listing, transcript):
        assert label in page
        assert subject not in page and subject[:20] not in page


def test_signed_attributes_show_as_signed_and_verified(alpha_staff):
    subject = f"u-{uuid.uuid4().hex[:8]}"
    tenant = alpha_staff.created.tenant
    user = Principal(
        kind=PrincipalKind.USER,
        subject=subject,
        name="Dana",
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id="t",
        issued_at=0,
        expires_at=0,
    )

    room = conversation_room_id(kind=PrincipalKind.USER, subject=subject)
    with schema_context(tenant.schema_name):
        chat_services.message_send(
            room_id=room, sender=user, body="hi", client_msg_id=uuid.uuid4().hex
        )
    profile(
        alpha_staff.created,
        subject,
        kind=PrincipalKind.USER,
        name="Dana Signed",
        email="dana@alpha.example",
        attributes=(("plan", f"pro {XSS}"),),
    )
    page = login(alpha_staff).get(f"/dashboard/conversations/{room}").content.decode()
    assert "<h1>Dana Signed</h1>" in page
    assert "dana@alpha.example" in page and "signed" in page
    assert "pro &lt;img" in page and XSS not in page
    assert "unverified" not in page


def test_bravo_staff_never_see_alphas_visitor(alpha_staff, bravo_staff):
    subject = f"v_{uuid.uuid4().hex[:22]}"
    room = visitor_writes(alpha_staff.created, "alpha only", subject)
    profile(alpha_staff.created, subject, identity=PageIdentity(name="Secret Alpha Name"))
    bravo = login(bravo_staff)
    assert bravo.get(f"/dashboard/conversations/{room}").status_code == 404
    assert "Secret Alpha Name" not in bravo.get("/dashboard/").content.decode()
