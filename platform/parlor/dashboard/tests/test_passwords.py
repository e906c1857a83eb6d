"""Password change and reset by email: a working link, the same answer for unknown addresses,
throttled requests, and only on a tenant's host for that tenant's active staff."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.test import Client

from parlor.dashboard.tests.conftest import PASSWORD, login, staff_of
from parlor.team.roles import Role

pytestmark = pytest.mark.usefixtures("live_db")

ACCOUNT_BURST = 3


@pytest.fixture(autouse=True)
def outbox():
    mail.outbox.clear()
    yield mail.outbox


def _ask(host: str, email: str, address: str = "192.0.2.40"):
    client = Client(HTTP_HOST=host, REMOTE_ADDR=address)
    return client.post("/dashboard/password-reset", {"email": email})


def _shape(response) -> tuple[int, str | None]:
    return response.status_code, response.get("Location")


def test_a_reset_link_sets_a_new_password_once(tenant_alpha, outbox):
    email = f"r-{uuid.uuid4().hex[:8]}@example.com"
    staff = staff_of(tenant_alpha, role=Role.AGENT, email=email)
    assert _shape(_ask(staff.host, email.upper())) == (302, "/dashboard/password-reset/sent")
    assert [message.to for message in outbox] == [[email]]
    link = re.search(r"http://alpha\.localhost/dashboard/password-reset/\S+", outbox[0].body)
    client = Client(HTTP_HOST=staff.host)
    form = client.get(link.group(0), follow=True)
    assert "Set a new password" in form.content.decode()
    set_url = form.request["PATH_INFO"]
    new = {"new_password1": "fresh-passphrase-7", "new_password2": "fresh-passphrase-7"}
    assert _shape(client.post(set_url, new)) == (302, "/dashboard/password-reset/done")
    fresh = Client(HTTP_HOST=staff.host)
    ok = fresh.post(
        "/dashboard/login", {"username": staff.username, "password": new["new_password1"]}
    )
    assert ok.status_code == 302
    # Used once: the same link no longer works.
    reused = Client(HTTP_HOST=staff.host).get(link.group(0), follow=True).content.decode()
    assert "This link no longer works" in reused


def test_the_answer_is_the_same_for_an_unknown_address_and_nothing_is_sent(tenant_alpha, outbox):
    email = f"k-{uuid.uuid4().hex[:8]}@example.com"
    staff_of(tenant_alpha, role=Role.AGENT, email=email)
    known = _ask(tenant_alpha.domain, email)
    outbox.clear()
    unknown = _ask(tenant_alpha.domain, f"ghost-{uuid.uuid4().hex[:8]}@example.com")
    assert _shape(known) == _shape(unknown)
    assert outbox == []


def test_no_link_for_another_tenants_staff_or_deactivated_staff(tenant_alpha, tenant_bravo, outbox):
    email = f"b-{uuid.uuid4().hex[:8]}@example.com"
    staff_of(tenant_bravo, role=Role.OWNER, email=email)
    _ask(tenant_alpha.domain, email)  # bravo's staff asked on alpha's host
    assert outbox == []
    gone_email = f"d-{uuid.uuid4().hex[:8]}@example.com"
    gone = staff_of(tenant_alpha, role=Role.AGENT, email=gone_email)
    owner = login(staff_of(tenant_alpha, role=Role.OWNER))
    owner.post(f"/dashboard/staff/{gone.pk}/deactivate")
    _ask(tenant_alpha.domain, gone_email)
    assert outbox == []


def test_the_platform_host_offers_no_reset(live_db):
    assert Client().post("/dashboard/password-reset", {"email": "a@example.com"}).status_code == 404


@pytest.fixture
def tight_limits(settings):
    settings.PARLOR = {
        **settings.PARLOR,
        "LOGIN_ACCOUNT_BURST": ACCOUNT_BURST,
        "LOGIN_ACCOUNT_PER_MINUTE": 1,
        "THROTTLE_PREFIX": f"test:reset:{uuid.uuid4().hex}",
    }


@pytest.mark.usefixtures("tight_limits")
def test_reset_requests_are_throttled_alike_for_known_and_unknown_addresses(tenant_alpha, outbox):
    email = f"t-{uuid.uuid4().hex[:8]}@example.com"
    staff_of(tenant_alpha, role=Role.AGENT, email=email)

    def answers(address_of: str) -> list:
        return [
            _shape(_ask(tenant_alpha.domain, address_of, address=f"198.51.100.{n}"))
            for n in range(ACCOUNT_BURST + 1)
        ]

    known = answers(email)
    assert known == [(302, "/dashboard/password-reset/sent")] * ACCOUNT_BURST + [(429, None)]
    assert known == answers(f"nobody-{uuid.uuid4().hex[:8]}@example.com")
    assert len(outbox) == ACCOUNT_BURST  # the throttled request sent nothing
    throttled = _ask(tenant_alpha.domain, email, address="198.51.100.200")
    assert "too many password reset requests" in throttled.content.decode()


def test_a_password_change_keeps_this_session_and_ends_the_others(tenant_alpha):
    staff = staff_of(tenant_alpha, role=Role.AGENT)
    here, elsewhere = login(staff), login(staff)
    response = here.post(
        "/dashboard/password",
        {
            "old_password": PASSWORD,
            "new_password1": "changed-passphrase-3",
            "new_password2": "changed-passphrase-3",
        },
    )
    assert response.status_code == 302
    assert here.get("/dashboard/").status_code == 200
    assert elsewhere.get("/dashboard/").status_code == 302
    wrong = here.post(
        "/dashboard/password",
        {
            "old_password": "nope",
            "new_password1": "x-long-one-11",
            "new_password2": "x-long-one-11",
        },
    )
    assert wrong.status_code == 200 and "incorrect" in wrong.content.decode()


def test_the_login_page_links_to_the_reset(tenant_alpha):
    page = Client(HTTP_HOST=tenant_alpha.domain).get("/dashboard/login").content.decode()
    assert 'href="/dashboard/password-reset"' in page
