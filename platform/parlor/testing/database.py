"""The URL of the database the tests run against, for server processes the tests start."""

from __future__ import annotations

from urllib.parse import quote

from django.db import connection


def database_url_for_tests() -> str:
    """Return a postgresql:// URL for the connection's current (test) database."""
    settings = connection.settings_dict
    user = quote(settings.get("USER") or "postgres")
    password = settings.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password)}" if password else user
    host = settings.get("HOST") or ""
    name = settings["NAME"]
    if host.startswith("/"):
        return f"postgresql://{credentials}@/{name}?host={quote(host)}"
    port = settings.get("PORT") or 5432
    return f"postgresql://{credentials}@{host}:{port}/{name}"
