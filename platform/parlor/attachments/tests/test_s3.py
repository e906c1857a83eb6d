"""Attachments through django-storages' S3 backend, against a real local S3-compatible server.

moto's server speaks the S3 HTTP API on 127.0.0.1: the upload, the download and the deletion
go over HTTP through boto3, exactly as against AWS or MinIO; only the endpoint differs.
"""

from __future__ import annotations

import boto3
import pytest
from django.test import Client, override_settings

from parlor.attachments.storage import attachment_storage
from parlor.attachments.tests.support import png, send_file, visitor
from parlor.settings.base import attachments_storage_config

pytestmark = pytest.mark.usefixtures("live_db")
PORT = 9801
BUCKET = "parlor-attachments-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=PORT)
    server.start()
    endpoint = f"http://127.0.0.1:{PORT}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings, monkeypatch):
    endpoint, client = s3_endpoint
    monkeypatch.setenv("PARLOR_ATTACHMENTS_S3_BUCKET", BUCKET)
    monkeypatch.setenv("PARLOR_ATTACHMENTS_S3_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("PARLOR_ATTACHMENTS_S3_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    # The production configuration itself, built from the environment as settings build it.
    config = attachments_storage_config()
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    with override_settings(STORAGES={**settings.STORAGES, "attachments": config}):
        yield client


def test_upload_download_and_delete_through_s3(s3_storage, tenant_alpha):
    http = Client()
    token, room = visitor(tenant_alpha)
    response = send_file(http, tenant_alpha, token, room, "shot.png", png())
    assert response.status_code == 201, response.content
    sent = response.json()

    listed = s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]
    keys = [item["Key"] for item in listed]
    assert any(key.endswith(sent["id"]) for key in keys)
    key = next(key for key in keys if key.endswith(sent["id"]))
    assert key.startswith(tenant_alpha.tenant.schema_name + "/")
    stored = s3_storage.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored[:8] == b"\x89PNG\r\n\x1a\n"

    download = http.get(sent["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == stored

    attachment_storage().delete(key)
    assert all(
        item["Key"] != key for item in s3_storage.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    )
