"""Parlor's own settings, each read through one getter with its default."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "DEMO_PAGE_URL": "http://127.0.0.1:8001",
    # WebSocket limits (docs/protocol.md): sizes in bytes, RATE_* in client frames.
    "BODY_MAX_BYTES": 4096,
    # Fits the largest legal `send` even with every byte of the body JSON-escaped (x6).
    "FRAME_MAX_BYTES": 32768,
    "ROOMS_PER_CONNECTION": 50,
    "RATE_PER_SECOND": 20.0,
    "RATE_BURST": 60,
    # Frames refused in a row with `rate_limited` before the socket is closed with 4429.
    "RATE_STRIKES_BEFORE_CLOSE": 20,
    # Open sockets per client IP and per principal, in each process, before 4429 at connect.
    "SOCKETS_PER_IP": 500,
    "SOCKETS_PER_PRINCIPAL": 20,
    # Frames queued for a socket that reads too slowly before it is closed with 4408.
    "OUTBOX_MAX_FRAMES": 5000,
    # ... or once one write to it has waited this long: well inside the server's keepalive.
    "OUTBOX_MAX_STALL_SECONDS": 10.0,
    "HISTORY_MAX": 100,
    "HISTORY_DEFAULT": 50,
    "JOIN_RECENT": 50,
    # How long a live message may wait for an earlier seq before the gap is filled from storage.
    "GAP_WAIT_SECONDS": 0.5,
    # The hot path's connection pool per process (parlor.base.pool): sizes and how long a
    # frame waits for a free connection before it answers `internal`.
    "DB_POOL_MIN_SIZE": 2,
    "DB_POOL_MAX_SIZE": 10,
    "DB_POOL_TIMEOUT_SECONDS": 5.0,
    # Sends of one process committed together at most (parlor.chat.ingest).
    "GROUP_COMMIT_MAX": 200,
    # A tenant's batch holds at most this many sends while another tenant's lane waits for a
    # writer, so a backlog holds a writer only briefly (docs/quotas.md). 0: no cap.
    "GROUP_COMMIT_TENANT_MAX": 20,
    # Tenants' batches written at once, each on its own pooled connection (under
    # DB_POOL_MAX_SIZE, so the other hot-path queries keep connections); a tenant's own
    # batches are written one at a time.
    "GROUP_COMMIT_WRITERS": 4,
    # Under sustained load (the lane's previous batch held several sends and ended moments ago)
    # a lane holding only a few sends waits this long for more before writing: fewer, larger
    # commits, each costing PostgreSQL ~0.2 ms of CPU however small (issue 11, ingest). An idle
    # lane, or one whose sends come one at a time, never waits (docs/quotas.md).
    "GROUP_COMMIT_LINGER_SECONDS": 0.005,
    # HTTP rate limits (docs/api.md): token buckets of `_BURST` refilled at `_PER_MINUTE`.
    # Widget sessions are counted per tenant and client IP, token requests per tenant.
    "WIDGET_SESSIONS_PER_MINUTE": 30,
    "WIDGET_SESSIONS_BURST": 10,
    "TOKENS_PER_MINUTE": 600,
    "TOKENS_BURST": 100,
    # Visitor context reports (POST /api/v1/widget/context), per tenant and visitor or user.
    "VISITOR_CONTEXT_PER_MINUTE": 30,
    "VISITOR_CONTEXT_BURST": 10,
    # Dashboard login attempts, per client IP and per tenant and username (existing or not).
    "LOGIN_ADDRESS_PER_MINUTE": 10,
    "LOGIN_ADDRESS_BURST": 30,
    "LOGIN_ACCOUNT_PER_MINUTE": 2,
    "LOGIN_ACCOUNT_BURST": 10,
    "THROTTLE_PREFIX": "parlor:throttle",
    # Reverse proxies in front of Parlor that append to X-Forwarded-For (nginx: 1); 0 trusts none.
    "TRUSTED_PROXY_COUNT": 0,
    # Bearer token that opens GET /metrics; empty turns the endpoint off (404).
    "METRICS_TOKEN": "",
    # Outbound HTTP (parlor.outbound): plain http to loopback, for a local receiver (make run).
    "OUTBOUND_ALLOW_LOOPBACK": False,
    # Background jobs (parlor.jobs): worker heartbeat, and silence after which its jobs rerun.
    "JOBS_HEARTBEAT_SECONDS": 10.0,
    "JOBS_STALLED_SECONDS": 60.0,
    # How often a worker looks for due jobs besides being notified of new ones (retries are due
    # later than their notification).
    "JOBS_POLL_SECONDS": 5.0,
    # Webhooks (docs/webhooks.md).
    "WEBHOOK_ENDPOINTS_MAX": 20,
    # Retries back off from this many seconds, x3 per attempt up to the cap, with jitter.
    "WEBHOOK_RETRY_FIRST_SECONDS": 10.0,
    "WEBHOOK_RETRY_MAX_SECONDS": 6 * 60 * 60.0,
    # A delivery is retried this long; an endpoint failing this long is disabled.
    "WEBHOOK_RETRY_FOR_SECONDS": 3 * 24 * 60 * 60.0,
    # Events and their deliveries are kept this long once none is pending (daily job).
    "WEBHOOK_EVENTS_KEEP_DAYS": 30,
    # Attachments (docs/attachments.md): a tenant's policy may lower or raise the size limit up
    # to the cap, and choose its types among the sniffable ones.
    "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "ATTACHMENT_MAX_BYTES_CAP": 100 * 1024 * 1024,
    "ATTACHMENT_TYPES": [
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "application/zip",
    ],
    # Lifetimes of an upload grant and of a download URL.
    "ATTACHMENT_GRANT_SECONDS": 300,
    "ATTACHMENT_URL_SECONDS": 900,
    # Images over this many pixels (width x height, read from the header) are refused.
    "ATTACHMENT_MAX_PIXELS": 50_000_000,
    # A zip archive is refused when its members would expand beyond this, or any member's
    # compression ratio is above the next one (a zip bomb); it is never decompressed here.
    "ATTACHMENT_ZIP_MAX_EXPANDED_BYTES": 200 * 1024 * 1024,
    "ATTACHMENT_ZIP_MAX_RATIO": 100,
    "ATTACHMENT_ZIP_MAX_MEMBERS": 1000,
    # Where a deleted tenant's final export is written (tenants.export); empty: DATA_DIR/exports.
    "EXPORT_DIR": "",
}


def setting(name: str) -> Any:
    """Return PARLOR[name] from Django settings, or Parlor's default for it."""
    return getattr(settings, "PARLOR", {}).get(name, DEFAULTS[name])
