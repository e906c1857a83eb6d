"""Settings for the test suite."""

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
    "LOGIN_ADDRESS_PER_MINUTE": 100_000,
    "LOGIN_ADDRESS_BURST": 100_000,
    "LOGIN_ACCOUNT_PER_MINUTE": 100_000,
    "LOGIN_ACCOUNT_BURST": 100_000,
    "SOCKETS_PER_IP": 100_000,
    "SOCKETS_PER_PRINCIPAL": 100_000,
}
