"""The self-signing example in docs/tokens.md, run as written: its token must get a socket."""

from __future__ import annotations

import re

import pytest
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient

from parlor.env import REPO_ROOT
from parlor.realtime.tests.consumers import application

pytestmark = pytest.mark.usefixtures("live_db")


def python_blocks() -> list[str]:
    text = (REPO_ROOT / "docs" / "tokens.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


async def test_the_documented_example_token_is_accepted(tenant_alpha):
    key_setup, signing = python_blocks()
    namespace: dict = {}
    exec(key_setup, namespace)
    response = await AsyncClient().post(
        "/api/v1/keys",
        {"jwk": namespace["public_jwk"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {tenant_alpha.secret_key}"},
    )
    assert response.status_code == 201, response.content
    exec(signing, namespace)
    token = namespace["parlor_user_token"](
        tenant="alpha",
        kid=response.json()["kid"],
        private_key_pem=namespace["private_key_pem"],
        user_id="u-docs",
        name="Docs Reader",
        rooms=["support"],
    )
    ws = WebsocketCommunicator(
        application(), "/ws/v1/", subprotocols=["parlor.v1", "parlor.token." + token]
    )
    connected, subprotocol = await ws.connect(timeout=5)
    assert connected and subprotocol == "parlor.v1"
    hello = await ws.receive_json_from(timeout=5)
    await ws.disconnect()
    assert (hello["tenant"], hello["kind"], hello["subject"]) == ("alpha", "user", "u-docs")
    assert hello["rooms"] == ["support"]
