"""Every frame type, error code and close code of the WebSocket protocol (docs/protocol.md)."""

from __future__ import annotations

SUBPROTOCOL = "parlor.v1"
TOKEN_SUBPROTOCOL_PREFIX = "parlor.token."

# Frames from client to server.
CLIENT_JOIN = "join"
CLIENT_LEAVE = "leave"
CLIENT_SEND = "send"
CLIENT_TYPING = "typing"
CLIENT_READ = "read"
CLIENT_HISTORY = "history"
CLIENT_PING = "ping"
CLIENT_AUTH_REFRESH = "auth.refresh"
CLIENT_AVAILABILITY = "availability"

CLIENT_TYPES = frozenset(
    {
        CLIENT_JOIN,
        CLIENT_LEAVE,
        CLIENT_SEND,
        CLIENT_TYPING,
        CLIENT_READ,
        CLIENT_HISTORY,
        CLIENT_PING,
        CLIENT_AUTH_REFRESH,
        CLIENT_AVAILABILITY,
    }
)

# Frames from server to client.
SERVER_HELLO = "hello"
SERVER_JOINED = "joined"
SERVER_LEFT = "left"
SERVER_MESSAGE = "message"
SERVER_ACK = "ack"
SERVER_TYPING = "typing"
SERVER_READ = "read"
SERVER_PRESENCE = "presence"
SERVER_HISTORY = "history"
SERVER_PONG = "pong"
SERVER_AUTH_OK = "auth.ok"
SERVER_ERROR = "error"
SERVER_ROOM_CLOSED = "room.closed"
SERVER_INBOX = "inbox"
# A conversation's status changed: {"type": "conversation", "room", "status"}, to the room.
SERVER_CONVERSATION = "conversation"
# A conversation's stored event (status, assignment, note), to the tenant's agents only.
SERVER_CONVERSATION_EVENT = "conversation.event"
# Whether any agent of the tenant is available, to every socket of the tenant.
SERVER_AVAILABILITY = "availability"

SERVER_TYPES = frozenset(
    {
        SERVER_HELLO,
        SERVER_JOINED,
        SERVER_LEFT,
        SERVER_MESSAGE,
        SERVER_ACK,
        SERVER_TYPING,
        SERVER_READ,
        SERVER_PRESENCE,
        SERVER_HISTORY,
        SERVER_PONG,
        SERVER_AUTH_OK,
        SERVER_ERROR,
        SERVER_ROOM_CLOSED,
        SERVER_INBOX,
        SERVER_CONVERSATION,
        SERVER_CONVERSATION_EVENT,
        SERVER_AVAILABILITY,
    }
)

# Codes of `error` frames.
ERROR_BAD_JSON = "bad_json"
ERROR_BAD_FRAME = "bad_frame"
ERROR_UNKNOWN_TYPE = "unknown_type"
ERROR_BODY_TOO_LARGE = "body_too_large"
ERROR_BODY_EMPTY = "body_empty"
ERROR_RATE_LIMITED = "rate_limited"
ERROR_TOO_MANY_ROOMS = "too_many_rooms"
ERROR_FORBIDDEN = "forbidden"
ERROR_NOT_FOUND = "not_found"
ERROR_NOT_JOINED = "not_joined"
ERROR_TOKEN_INVALID = "token_invalid"
ERROR_INTERNAL = "internal"

ERROR_CODES = frozenset(
    {
        ERROR_BAD_JSON,
        ERROR_BAD_FRAME,
        ERROR_UNKNOWN_TYPE,
        ERROR_BODY_TOO_LARGE,
        ERROR_BODY_EMPTY,
        ERROR_RATE_LIMITED,
        ERROR_TOO_MANY_ROOMS,
        ERROR_FORBIDDEN,
        ERROR_NOT_FOUND,
        ERROR_NOT_JOINED,
        ERROR_TOKEN_INVALID,
        ERROR_INTERNAL,
    }
)

# WebSocket close codes.
CLOSE_NORMAL = 1000
CLOSE_SERVER_ERROR = 1011
CLOSE_PROTOCOL_ERROR = 4400
CLOSE_TOKEN_INVALID = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_SLOW_CONSUMER = 4408
CLOSE_FRAME_TOO_LARGE = 4413
CLOSE_QUOTA_EXCEEDED = 4423
CLOSE_RATE_LIMITED = 4429
CLOSE_TENANT_SUSPENDED = 4451

CLOSE_CODES = frozenset(
    {
        CLOSE_NORMAL,
        CLOSE_SERVER_ERROR,
        CLOSE_PROTOCOL_ERROR,
        CLOSE_TOKEN_INVALID,
        CLOSE_FORBIDDEN,
        CLOSE_SLOW_CONSUMER,
        CLOSE_FRAME_TOO_LARGE,
        CLOSE_QUOTA_EXCEEDED,
        CLOSE_RATE_LIMITED,
        CLOSE_TENANT_SUSPENDED,
    }
)

# Statuses of `conversation` frames the widget acts on.
CONVERSATION_RESOLVED = "resolved"

# Reasons of `room.closed` frames.
ROOM_CLOSED_ACCESS_REVOKED = "access_revoked"
