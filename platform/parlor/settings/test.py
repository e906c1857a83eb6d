"""Settings for the test suite."""

from parlor import env
from parlor.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The suite starts many sessions from one address; tests of the limits set their own.
PARLOR = {
    **PARLOR,  # noqa: F405
    "WIDGET_SESSIONS_PER_MINUTE": 100_000,
    "WIDGET_SESSIONS_BURST": 100_000,
    "TOKENS_PER_MINUTE": 100_000,
    "TOKENS_BURST": 100_000,
    "VISITOR_CONTEXT_PER_MINUTE": 100_000,
    "VISITOR_CONTEXT_BURST": 100_000,
    # Webhook tests run their receivers on 127.0.0.1; SSRF tests turn this off again.
    "OUTBOUND_ALLOW_LOOPBACK": True,
    # A killed worker's jobs come back within seconds, not a minute.
    "JOBS_HEARTBEAT_SECONDS": 0.5,
    "JOBS_STALLED_SECONDS": 2.0,
    "JOBS_POLL_SECONDS": 0.2,
    "WEBHOOK_RETRY_FIRST_SECONDS": 0.3,
    "LOGIN_ADDRESS_PER_MINUTE": 100_000,
    "LOGIN_ADDRESS_BURST": 100_000,
    "LOGIN_ACCOUNT_PER_MINUTE": 100_000,
    "LOGIN_ACCOUNT_BURST": 100_000,
    "SOCKETS_PER_IP": 100_000,
    "SOCKETS_PER_PRINCIPAL": 100_000,
    # Browser tests freeze the business-hours clock of the server process they start.
    "HOURS_FROZEN_NOW": env.get("PARLOR_HOURS_FROZEN_NOW"),
    "INBOUND_EMAIL_SECRET": "inbound-test-secret",
}
