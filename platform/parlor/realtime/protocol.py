"""WebSocket protocol constants shared by the auth middleware and the chat consumer."""

from __future__ import annotations

SUBPROTOCOL = "parlor.v1"
TOKEN_SUBPROTOCOL_PREFIX = "parlor.token."

CLOSE_PROTOCOL_ERROR = 4400
CLOSE_TOKEN_INVALID = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_FRAME_TOO_LARGE = 4413
CLOSE_RATE_LIMITED = 4429
