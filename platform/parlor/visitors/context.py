"""What a page may tell about its visitor: parsed, validated and bounded before anything stores it.

Everything here comes from the browser and is untrusted: URLs must be http(s), text is cut to
its column's length and stripped of control characters, and the dashboard shows it as text.
A name or email from the page is the page's word only (stored as unverified); custom
attributes are never read from here, only from the tenant's signed token.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from parlor.base.errors import ValidationFailed
from parlor.base.text import text_is_valid
from parlor.visitors.models import MAX_TITLE_LENGTH, MAX_URL_LENGTH
from parlor.visitors.user_agents import user_agent_parse
from tenants.claims import MAX_NAME_LENGTH, email_is_valid

CONTEXT_FIELDS = frozenset({"page_url", "page_title", "referrer", "locale", "timezone"})
IDENTITY_FIELDS = frozenset({"name", "email"})
FIELDS = CONTEXT_FIELDS | IDENTITY_FIELDS
MAX_USER_AGENT_LENGTH = 512
LOCALE_PATTERN = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}")
MAX_LOCALE_LENGTH = 35
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class VisitorContext:
    """Where the visitor is: page, referrer, browser, OS, language and time zone."""

    page_url: str = ""
    page_title: str = ""
    referrer: str = ""
    browser: str = ""
    os: str = ""
    locale: str = ""
    timezone: str = ""


@dataclass(frozen=True)
class PageIdentity:
    """A name and email the page gave with `Parlor.identify({name, email})`: unverified."""

    name: str = ""
    email: str = ""


def visitor_context_parse(*, body: dict[str, Any], user_agent: str | None) -> VisitorContext:
    """Return the context in a widget's `body` and User-Agent; raise ValidationFailed (422)."""
    browser, os = user_agent_parse((user_agent or "")[:MAX_USER_AGENT_LENGTH])
    return VisitorContext(
        page_url=_url(body.get("page_url"), "page_url"),
        page_title=_text(body.get("page_title"), "page_title", MAX_TITLE_LENGTH),
        referrer=_url(body.get("referrer"), "referrer"),
        browser=browser,
        os=os,
        locale=_locale(body.get("locale")),
        timezone=_timezone(body.get("timezone")),
    )


def page_identity_parse(body: dict[str, Any]) -> PageIdentity | None:
    """Return the name and email the page gave, None if neither; raise ValidationFailed (422)."""
    name, email = body.get("name"), body.get("email")
    if name in (None, "") and email in (None, ""):
        return None
    if name not in (None, "") and _text(name, "name", MAX_NAME_LENGTH, cut=False) == "":
        raise _invalid("name", f"1 to {MAX_NAME_LENGTH} characters of text")
    if email not in (None, "") and not email_is_valid(email):
        raise _invalid("email", "one e-mail address")
    return PageIdentity(name=(name or "").strip(), email=email or "")


def _url(value: object, field: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not text_is_valid(value) or CONTROL_CHARACTERS.search(value):
        raise _invalid(field, "an http or https URL")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise _invalid(field, "an http or https URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise _invalid(field, "an http or https URL")
    # Long tracking queries are common: keep the start rather than refuse the visit.
    return value[:MAX_URL_LENGTH]


def _text(value: object, field: str, max_length: int, *, cut: bool = True) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or not text_is_valid(value):
        raise _invalid(field, "text")
    text = " ".join(CONTROL_CHARACTERS.sub(" ", value).split())
    if not cut and len(text) > max_length:
        return ""
    return text[:max_length]


def _locale(value: object) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > MAX_LOCALE_LENGTH:
        raise _invalid("locale", "a language tag such as en-GB")
    if not LOCALE_PATTERN.fullmatch(value):
        raise _invalid("locale", "a language tag such as en-GB")
    return value


def _timezone(value: object) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or value not in _timezones():
        raise _invalid("timezone", "an IANA time zone such as Europe/Paris")
    return value


@functools.cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _invalid(field: str, what: str) -> ValidationFailed:
    return ValidationFailed(f"{field} must be {what}.", code="invalid_field", status=422)
