"""SSRF-safe outbound HTTP: the address is checked after resolution and is the one connected to.

A tenant gives Parlor a URL and Parlor's servers call it, from inside Parlor's network. So:
https only (loopback http only when OUTBOUND_ALLOW_LOOPBACK is on, for `make run`); every
address the name resolves to must be public (not loopback, private, link-local, metadata,
multicast or reserved), checked at send time and then connected to by IP, so a name that
resolves differently a moment later (DNS rebinding) is never asked again; no redirects;
10 s connect and read timeouts; at most 64 KiB of the response read.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from parlor.base.conf import setting
from parlor.base.errors import ValidationFailed

TIMEOUT_SECONDS = 10.0
MAX_RESPONSE_BYTES = 64 * 1024
MAX_URL_LENGTH = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(ValidationFailed):
    """A URL or address Parlor will not call."""

    code = "url_refused"
    status = 422


@dataclass(frozen=True)
class OutboundResponse:
    """What came back: the status and at most MAX_RESPONSE_BYTES of the body."""

    status: int
    body: bytes


@dataclass(frozen=True)
class Target:
    """A checked URL, split into what the connection needs."""

    scheme: str
    host: str
    port: int
    path: str


def url_check(url: object) -> Target:
    """Return the URL's parts if its form may be called (scheme, host, literal IP); else raise."""
    if not isinstance(url, str) or not 0 < len(url) <= MAX_URL_LENGTH or not url.isascii():
        raise OutboundRefused(
            f"url must be an absolute https URL of at most {MAX_URL_LENGTH} characters."
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise OutboundRefused("url is not a valid URL.") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _allowed_schemes() or not host:
        raise OutboundRefused("url must be an absolute https URL.")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("url must not carry a user name or password.")
    if any(character in url for character in "\r\n\t "):
        raise OutboundRefused("url must not contain whitespace.")
    literal = _literal_address(host)
    if literal is not None:
        address_check(literal)
        if scheme == "http" and not _unmapped(literal).is_loopback:
            raise OutboundRefused("url must be https unless it is a loopback address.")
    elif host == "localhost" or host.endswith(".localhost"):
        address_check(ipaddress.ip_address("127.0.0.1"))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(
        scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80), path=path
    )


def address_check(address: IPAddress) -> None:
    """Refuse an address that is not public, unless it is loopback and loopback is allowed."""
    address = _unmapped(address)
    if address.is_loopback and setting("OUTBOUND_ALLOW_LOOPBACK"):
        return
    if not address.is_global or address.is_multicast:
        raise OutboundRefused("url resolves to an address Parlor may not call.")


def resolve(host: str, port: int) -> list[IPAddress]:
    """Return every address `host` resolves to; raise OutboundRefused if there is none."""
    literal = _literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise OutboundRefused("url's host does not resolve.") from None
    return [ipaddress.ip_address(info[4][0].partition("%")[0]) for info in infos]


def outbound_post(*, url: str, body: bytes, headers: dict[str, str]) -> OutboundResponse:
    """POST `body` to `url` if every address it resolves to may be called (OSError on failure)."""
    target = url_check(url)
    addresses = resolve(target.host, target.port)
    for address in addresses:
        address_check(address)
        # Plain http exists for a developer's local receiver only.
        if target.scheme == "http" and not _unmapped(address).is_loopback:
            raise OutboundRefused("url must be https unless it is a loopback address.")
    connection = _connection(target, addresses[0])
    try:
        connection.request(
            "POST", target.path, body=body, headers={**headers, "Host": _host_header(target)}
        )
        response = connection.getresponse()
        return OutboundResponse(status=response.status, body=response.read(MAX_RESPONSE_BYTES))
    finally:
        connection.close()


def _connection(target: Target, address: IPAddress) -> http.client.HTTPConnection:
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target.host, target.port, address=address)
    return _PinnedHTTPConnection(target.host, target.port, address=address)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connect to the checked address, whatever the name resolves to now."""

    def __init__(self, host: str, port: int, *, address: IPAddress) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self.address), self.port), TIMEOUT_SECONDS)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, verifying the certificate against the URL's host name."""

    def __init__(self, host: str, port: int, *, address: IPAddress) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((str(self.address), self.port), TIMEOUT_SECONDS)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _allowed_schemes() -> set[str]:
    return {"https", "http"} if setting("OUTBOUND_ALLOW_LOOPBACK") else {"https"}


def _unmapped(address: IPAddress) -> IPAddress:
    # ::ffff:127.0.0.1 is 127.0.0.1 to the kernel.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"
