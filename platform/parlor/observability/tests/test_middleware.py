"""Tests of the request context: an id on every answer, in the log, never forged."""

from __future__ import annotations

import logging

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from parlor.observability.logs import ContextFilter
from parlor.observability.middleware import RequestContextMiddleware, request_id_for


def test_a_plain_proxy_id_is_kept_and_anything_else_replaced():
    assert request_id_for("abc-123.x_Y") == "abc-123.x_Y"
    for forged in ["", None, "a" * 65, "x\ny", "id with spaces", "<script>", "é"]:
        replaced = request_id_for(forged)
        assert replaced != forged and len(replaced) == 16


@pytest.mark.parametrize("offered", ["from-proxy-1", "evil\ninjected"])
def test_the_id_is_answered_and_tags_the_requests_log_records(offered):
    seen = []

    def view(request):
        record = logging.LogRecord("parlor.test", logging.INFO, __file__, 1, "inside", None, None)
        ContextFilter().filter(record)
        seen.append(record.request_id)
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID=offered)
    response = RequestContextMiddleware(view)(request)
    assert response["X-Request-ID"] == seen[0]
    assert (seen[0] == offered) is ("\n" not in offered)


def test_the_access_log_names_the_path_without_its_query(caplog):
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    request = RequestFactory().get(f"/api/v1/rooms?token={token}&q=secret-body")
    with caplog.at_level(logging.INFO, logger="parlor.access"):
        RequestContextMiddleware(lambda request: HttpResponse(status=204))(request)
    [line] = [record for record in caplog.records if record.name == "parlor.access"]
    text = line.getMessage()
    assert text.startswith("GET /api/v1/rooms 204 ")
    assert token not in text and "secret-body" not in text and "?" not in text
