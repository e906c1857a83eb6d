"""The upload and download API end to end: grant, PUT, message, signed URL, refusals."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image

from parlor.api.tests.helpers import assert_problem
from parlor.attachments.grants import (
    DownloadTicket,
    UploadGrant,
    download_token_sign,
    upload_grant_sign,
)
from parlor.attachments.models import Attachment
from parlor.attachments.policy import attachment_policy_set
from parlor.attachments.tests.support import (
    HTML_WITH_SCRIPT,
    agent,
    grant,
    headers,
    jpeg_with_gps,
    pixel_flood_png,
    png,
    put,
    send_file,
    small_zip,
    stored_files,
    visitor,
    zip_bomb,
)
from parlor.chat.models import Message

pytestmark = pytest.mark.usefixtures("live_db", "clean_policies")


@pytest.fixture
def client():
    return Client()


def test_png_is_stored_posted_as_a_message_and_downloadable_inline(client, tenant_alpha, media):
    token, room = visitor(tenant_alpha)
    response = send_file(client, tenant_alpha, token, room, "shot.png", png())
    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == "https://shop.alpha.example"
    sent = response.json()
    assert sent["type"] == "image/png" and sent["inline"] is True
    assert (sent["width"], sent["height"], sent["name"]) == (40, 30, "shot.png")
    with schema_context(tenant_alpha.tenant.schema_name):
        message = Message.objects.get(id=sent["message"])
    assert message.client_msg_id == sent["id"] and message.room_id == room
    assert message.body == "\N{PAPERCLIP} shot.png" and message.sender_kind == "visitor"

    # The agent reads it through the API and gets a fresh signed URL.
    read = client.get(
        f"/api/v1/attachments/{sent['id']}",
        **headers(tenant_alpha, agent(tenant_alpha), origin=False),
    )
    assert read.status_code == 200, read.content
    download = client.get(read.json()["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("inline")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"].startswith("sandbox")
    data = b"".join(download.streaming_content)
    image = Image.open(io.BytesIO(data))
    assert image.size == (40, 30) and "Comment" not in image.info
    assert b"secret-metadata" not in data
    assert len(stored_files(media)) == 1


def test_html_with_script_is_served_as_a_download_never_a_page(client, tenant_alpha, media):
    with schema_context(tenant_alpha.tenant.schema_name):
        attachment_policy_set(max_bytes=None, allowed_types=["text/html", "image/png"])
    token, room = visitor(tenant_alpha)
    # The client's claim (here image/png) is ignored: the bytes say HTML.
    granted = grant(client, tenant_alpha, token, room, "invoice.html")
    response = client.put(
        granted.json()["upload_url"],
        HTML_WITH_SCRIPT,
        content_type="image/png",
        HTTP_ORIGIN="https://shop.alpha.example",
    )
    assert response.status_code == 201, response.content
    sent = response.json()
    assert sent["type"] == "text/html" and sent["inline"] is False
    download = client.get(sent["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="invoice.html"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    policy = download["Content-Security-Policy"]
    assert policy.split(";")[0] == "sandbox" and "default-src 'none'" in policy
    assert b"".join(download.streaming_content) == HTML_WITH_SCRIPT


def test_svg_is_never_inline(client, tenant_alpha, media):
    with schema_context(tenant_alpha.tenant.schema_name):
        attachment_policy_set(max_bytes=None, allowed_types=["image/svg+xml"])
    token, room = visitor(tenant_alpha)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    sent = send_file(client, tenant_alpha, token, room, "logo.svg", svg).json()
    assert sent["type"] == "image/svg+xml" and sent["inline"] is False
    download = client.get(sent["url"])
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Security-Policy"].startswith("sandbox")


def test_exif_location_is_stripped_from_a_jpeg(client, tenant_alpha, media):
    original = jpeg_with_gps()
    assert b"SecretCam" in original
    token, room = visitor(tenant_alpha)
    sent = send_file(client, tenant_alpha, token, room, "photo.jpg", original).json()
    data = b"".join(client.get(sent["url"]).streaming_content)
    assert b"SecretCam" not in data
    assert not Image.open(io.BytesIO(data)).getexif()


def test_agent_uploads_to_a_visitors_conversation(client, tenant_alpha, media):
    token, room = visitor(tenant_alpha)
    send_file(client, tenant_alpha, token, room, "first.txt", b"hello")
    agent_token = agent(tenant_alpha)
    granted = client.post(
        "/api/v1/attachments/grants",
        {"room": room, "name": "answer.pdf"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {agent_token}",
    )
    assert granted.status_code == 201, granted.content
    sent = client.put(
        granted.json()["upload_url"], b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
    ).json()
    assert sent["type"] == "application/pdf"
    with schema_context(tenant_alpha.tenant.schema_name):
        assert Message.objects.get(id=sent["message"]).sender_kind == "agent"


def test_ordinary_zip_passes(client, tenant_alpha, media):
    token, room = visitor(tenant_alpha)
    response = send_file(client, tenant_alpha, token, room, "logs.zip", small_zip())
    assert response.status_code == 201, response.content
    assert response.json()["type"] == "application/zip"


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("bomb.png", pixel_flood_png(), 400, "image_too_large"),
        ("bomb.zip", zip_bomb(), 400, "archive_refused"),
        ("page.html", HTML_WITH_SCRIPT, 415, "type_refused"),
        ("tool.exe", b"MZ\x90\x00\x03" + b"\x00" * 100, 415, "type_refused"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, 400, "image_invalid"),
        ("empty.txt", b"", 400, "file_empty"),
    ],
)
def test_refused_uploads_store_nothing(client, tenant_alpha, media, name, data, status, code):
    token, room = visitor(tenant_alpha)
    granted = grant(client, tenant_alpha, token, room, name)
    response = put(client, tenant_alpha, granted.json()["upload_url"], data)
    assert_problem(response, status, code)
    assert response["Access-Control-Allow-Origin"] == "https://shop.alpha.example"
    assert stored_files(media) == []
    with schema_context(tenant_alpha.tenant.schema_name):
        assert not Attachment.objects.filter(room_id=room).exists()
        assert not Message.objects.filter(room_id=room).exists()


def test_over_the_limit_is_refused_by_declared_size_and_by_bytes(client, tenant_alpha, media):
    with schema_context(tenant_alpha.tenant.schema_name):
        attachment_policy_set(max_bytes=1000, allowed_types=None)
    token, room = visitor(tenant_alpha)
    assert_problem(
        grant(client, tenant_alpha, token, room, "big.txt", size=1001), 413, "file_too_large"
    )
    granted = grant(client, tenant_alpha, token, room, "big.txt").json()
    assert granted["max_bytes"] == 1000
    assert_problem(
        put(client, tenant_alpha, granted["upload_url"], b"a" * 1001), 413, "file_too_large"
    )
    assert stored_files(media) == []


def test_a_grant_is_used_once(client, tenant_alpha, media):
    token, room = visitor(tenant_alpha)
    url = grant(client, tenant_alpha, token, room, "a.txt").json()["upload_url"]
    assert put(client, tenant_alpha, url, b"once").status_code == 201
    assert_problem(put(client, tenant_alpha, url, b"twice"), 409, "grant_used")
    assert len(stored_files(media)) == 1


def test_forged_and_expired_grants_are_refused(client, tenant_alpha, media, settings):
    token, room = visitor(tenant_alpha)
    url = grant(client, tenant_alpha, token, room, "a.txt").json()["upload_url"]
    head, _, signature = url.rpartition(":")
    forged = head + ":" + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_problem(put(client, tenant_alpha, forged, b"x"), 401, "grant_invalid")
    assert_problem(
        put(client, tenant_alpha, "/api/v1/attachments/uploads/nonsense", b"x"),
        401,
        "grant_invalid",
    )
    settings.PARLOR = {**settings.PARLOR, "ATTACHMENT_GRANT_SECONDS": -1}
    assert_problem(put(client, tenant_alpha, url, b"x"), 401, "grant_expired")
    assert stored_files(media) == []


def test_a_grant_signed_with_another_key_is_refused(client, tenant_alpha, media, settings):
    token, room = visitor(tenant_alpha)
    url = grant(client, tenant_alpha, token, room, "a.txt").json()["upload_url"]
    settings.SECRET_KEY = "another-deployment-" + "x" * 50
    assert_problem(put(client, tenant_alpha, url, b"x"), 401, "grant_invalid")


def test_a_visitor_may_not_upload_to_another_room(client, tenant_alpha):
    token, _ = visitor(tenant_alpha)
    _, other_room = visitor(tenant_alpha)
    assert_problem(grant(client, tenant_alpha, token, other_room, "a.txt"), 403, "forbidden")


def test_grant_needs_a_token_and_the_tenants_origin(client, tenant_alpha, tenant_bravo):
    token, room = visitor(tenant_alpha)
    answer = client.post(
        "/api/v1/attachments/grants", {"room": room, "name": "a"}, content_type="application/json"
    )
    assert_problem(answer, 401, "token_missing")
    foreign = client.post(
        "/api/v1/attachments/grants",
        {"room": room, "name": "a"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ORIGIN="https://shop.bravo.example",
    )
    assert_problem(foreign, 403, "origin_forbidden")


def test_tenant_a_cannot_read_tenant_or_room_b_files(client, tenant_alpha, tenant_bravo, media):
    bravo_token, bravo_room = visitor(tenant_bravo)
    bravo_file = send_file(client, tenant_bravo, bravo_token, bravo_room, "b.txt", b"bravo").json()
    alpha_token, alpha_room = visitor(tenant_alpha)
    other_token, other_room = visitor(tenant_alpha)
    other_file = send_file(client, tenant_alpha, other_token, other_room, "o.txt", b"other").json()

    # By id, with alpha's visitor and agent tokens: as if it did not exist.
    for token in (alpha_token, agent(tenant_alpha)):
        answer = client.get(
            f"/api/v1/attachments/{bravo_file['id']}", **headers(tenant_alpha, token)
        )
        assert_problem(answer, 404, "attachment_not_found")
    answer = client.get(
        f"/api/v1/attachments/{other_file['id']}", **headers(tenant_alpha, alpha_token)
    )
    assert_problem(answer, 404, "attachment_not_found")

    # A download URL of alpha's, re-signed for bravo's file, needs the deployment's key.
    alpha_file = send_file(client, tenant_alpha, alpha_token, alpha_room, "a.txt", b"alpha").json()
    for ticket in (
        DownloadTicket(tenant_alpha.tenant.id, alpha_room, bravo_file["id"]),
        DownloadTicket(tenant_alpha.tenant.id, alpha_room, other_file["id"]),
        DownloadTicket(tenant_bravo.tenant.id, alpha_room, bravo_file["id"]),
    ):
        answer = client.get("/api/v1/attachments/files/" + download_token_sign(ticket))
        assert_problem(answer, 404, "attachment_not_found")
    # Tampering with a real URL breaks its signature.
    url = alpha_file["url"]
    assert_problem(client.get(url[:-3] + "AAA"), 401, "grant_invalid")
    # A real URL of bravo's, asked on alpha's domain, is refused.
    answer = client.get(bravo_file["url"], HTTP_HOST="alpha.localhost")
    assert_problem(answer, 403, "tenant_mismatch")
    assert client.get(url).status_code == 200


def test_an_upload_grant_is_no_download_url(client, tenant_alpha, media):
    _, room = visitor(tenant_alpha)
    signed = upload_grant_sign(
        UploadGrant(
            tenant_id=tenant_alpha.tenant.id,
            schema_name=tenant_alpha.tenant.schema_name,
            tenant_slug="alpha",
            room=room,
            sender_kind="visitor",
            sender_id="v",
            sender_name="V",
            attachment_id="att_" + "A" * 22,
            name="a",
            max_bytes=10,
            allowed_types=[],
            origin="",
        )
    )
    assert_problem(client.get("/api/v1/attachments/files/" + signed), 401, "grant_invalid")


def test_expired_download_url_is_refused(client, tenant_alpha, media, settings):
    token, room = visitor(tenant_alpha)
    sent = send_file(client, tenant_alpha, token, room, "a.txt", b"hello").json()
    settings.PARLOR = {**settings.PARLOR, "ATTACHMENT_URL_SECONDS": -1}
    assert_problem(client.get(sent["url"]), 401, "grant_expired")


def test_preflight_admits_a_registered_origin_only(client):
    ok = client.options("/api/v1/attachments/grants", HTTP_ORIGIN="https://shop.alpha.example")
    assert ok.status_code == 204
    assert "Authorization" in ok["Access-Control-Allow-Headers"]
    refused = client.options("/api/v1/attachments/grants", HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused


def test_policy_api(client, tenant_alpha):
    key = tenant_alpha.secret_key
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    answer = client.put(
        "/api/v1/attachment-policy",
        {"max_bytes": 2048, "allowed_types": ["image/png"]},
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"max_bytes": 2048, "allowed_types": ["image/png"]}
    refused = client.put(
        "/api/v1/attachment-policy",
        {"allowed_types": ["application/x-msdownload"]},
        content_type="application/json",
        **auth,
    )
    assert_problem(refused, 422, "invalid_field")


def test_the_plans_storage_quota_refuses_the_file_that_would_pass_it(client, tenant_alpha, media):
    from django.db.models import Sum

    from parlor.testing.tenants import quotas_overridden

    with schema_context(tenant_alpha.tenant.schema_name):
        used = Attachment.objects.aggregate(total=Sum("size"))["total"] or 0
    token, room = visitor(tenant_alpha)
    with quotas_overridden(tenant_alpha, attachment_bytes=used + 50):
        assert_problem(
            grant(client, tenant_alpha, token, room, "big.txt", size=100), 429, "quota_exceeded"
        )
        url = grant(client, tenant_alpha, token, room, "big.txt").json()["upload_url"]
        before = stored_files(media)
        assert_problem(put(client, tenant_alpha, url, b"a" * 100), 429, "quota_exceeded")
        assert stored_files(media) == before
        url = grant(client, tenant_alpha, token, room, "small.txt").json()["upload_url"]
        assert put(client, tenant_alpha, url, b"a" * 40).status_code == 201
