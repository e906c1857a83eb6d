"""Tenant JWTs: the one module that signs (jwt.encode) and verifies (jwt.decode) them."""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from jwt import PyJWK, PyJWTError

from parlor.base.errors import NotAuthenticated, ValidationFailed
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.base.text import json_decode
from tenants.claims import (
    JTI_PATTERN,
    attributes_claim_validate,
    attributes_read,
    claims_validate,
    email_claim_validate,
    email_is_valid,
)
from tenants.keys import (
    Algorithm,
    hmac_secret_decode,
    signing_key_current,
    signing_key_lookup,
    signing_key_usable_at,
)
from tenants.lifetimes import token_ttl_cap, token_ttl_resolve
from tenants.models import SigningKey, Tenant
from tenants.revocation import token_is_revoked
from tenants.validators import SLUG_PATTERN

ISSUER_PREFIX = "parlor:tenant:"
AUDIENCES = {kind: f"parlor:{kind.value}" for kind in PrincipalKind}
KIND_BY_AUDIENCE = {audience: kind for kind, audience in AUDIENCES.items()}
# Every algorithm a key may have; each key verifies with its own one only.
ALGORITHMS = frozenset(Algorithm.values)
MAX_TOKEN_LENGTH = 8 * 1024
LEEWAY_SECONDS = 5
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti", "name"]
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
KID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Codes a client fixes by getting a new token: the socket is accepted, then closed with 4401.
REFRESHABLE_CODES = frozenset({"token_expired", "token_not_yet_valid", "token_revoked"})


class TokenError(NotAuthenticated):
    """A token that is missing, malformed, forged, expired or revoked; `detail` never quotes it."""

    code = "token_invalid"
    status = 401


@dataclass(frozen=True)
class IssuedToken:
    """A signed token and the moment it expires."""

    token: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenHeader:
    """What a token claims about itself before any cryptography: where to find its key."""

    algorithm: str
    kid: str
    tenant_slug: str
    kind: PrincipalKind


@dataclass(frozen=True)
class VerifiedToken:
    """A token whose signature and claims hold, with the principal and tenant it names."""

    principal: Principal
    tenant: Tenant  # may be this process's cached copy (tenants.cache): read it, never save it


class VerifiedClaims:
    """Claims whose signature verified, by a hash of the exact token, until the token expires.

    A socket that reconnects presents the same token again: its signature and encoding are
    not checked twice (issue 11, connect rate). Everything that can change is still checked
    on every use (the key, its revocation or retirement, the token's own revocation, its
    expiry, the tenant's lifetime cap), so a cached token is refused as soon as any of them is.
    """

    def __init__(self, *, max_entries: int) -> None:
        self.max_entries = max_entries
        self.entries: OrderedDict[bytes, tuple[TokenHeader, int, dict[str, Any]]] = OrderedDict()

    def get(self, digest: bytes, *, now: float) -> tuple[TokenHeader, int, dict[str, Any]] | None:
        """Return (header, key pk, claims) of a verified, unexpired token, or None."""
        entry = self.entries.get(digest)
        if entry is None:
            return None
        if now > entry[2]["exp"] + LEEWAY_SECONDS:
            self.entries.pop(digest, None)  # expired: the full check says so, with its own code
            return None
        # Verification also runs in threads: another may have dropped the entry meanwhile.
        with contextlib.suppress(KeyError):
            self.entries.move_to_end(digest)
        return entry

    def put(self, digest: bytes, header: TokenHeader, key_pk: int, claims: dict[str, Any]) -> None:
        """Remember a token that verified; the least recently used one goes when full."""
        self.entries[digest] = (header, key_pk, claims)
        if len(self.entries) > self.max_entries:
            with contextlib.suppress(KeyError):
                self.entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every token (tests)."""
        self.entries.clear()


# Reconnects and a widget's REST calls repeat a token within seconds: a small LRU serves them,
# and its memory (about 1 KiB an entry) stays fixed however many sockets are open.
VERIFIED_CLAIMS = VerifiedClaims(max_entries=1024)


def issuer_for(tenant_slug: str) -> str:
    """Return the `iss` claim naming the tenant `tenant_slug`."""
    return ISSUER_PREFIX + tenant_slug


def token_issue(
    *,
    tenant: Tenant,
    kind: PrincipalKind,
    subject: str,
    name: str,
    rooms: list[str] | None = None,
    ttl: int | None = None,
    email: str | None = None,
    attributes: dict[str, Any] | None = None,
) -> IssuedToken:
    """Sign a `kind` token for `subject` with the tenant's current key; raise ValidationFailed."""
    kind = PrincipalKind(kind)
    claims_validate(subject=subject, name=name, rooms=rooms)
    if email is not None:
        email_claim_validate(email)
    if attributes is not None:
        attributes_claim_validate(attributes)
    lifetime = token_ttl_resolve(tenant=tenant, kind=kind, ttl=ttl)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer_for(tenant.slug),
        "sub": subject,
        "aud": AUDIENCES[kind],
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(16),
        "name": name,
    }
    if rooms:
        claims["rooms"] = list(dict.fromkeys(rooms))
    if email is not None:
        claims["email"] = email
    if attributes:
        claims["attributes"] = attributes
    token = token_sign(key=signing_key_current(tenant_id=tenant.id), claims=claims)
    return IssuedToken(token=token, expires_at=datetime.fromtimestamp(now + lifetime, tz=UTC))


def token_sign(*, key: SigningKey, claims: dict[str, Any]) -> str:
    """Return `claims` signed with the platform-held HS256 `key` (its kid in the header)."""
    if key.algorithm != Algorithm.HS256:
        raise ValidationFailed("the platform signs only with its own HS256 keys.")
    return jwt.encode(
        claims, hmac_secret_decode(key), algorithm="HS256", headers={"kid": key.kid, "typ": "JWT"}
    )


def token_verify(token: object, *, kinds: frozenset[PrincipalKind] | None = None) -> VerifiedToken:
    """Verify `token` fully (sync, public schema) and return its principal; raise TokenError."""
    # Keys and revocations come from per-process caches (tenants.cache): a warm call makes no
    # query, and inside cache_only() a cold one raises CacheMiss instead of querying.
    digest = _token_digest(token)
    cached = VERIFIED_CLAIMS.get(digest, now=time.time()) if digest else None
    header = cached[0] if cached is not None else token_header_parse(token)
    if kinds is not None and header.kind not in kinds:
        raise TokenError(f"a {header.kind.value} token is not accepted here.")
    key = signing_key_lookup(tenant_slug=header.tenant_slug, kid=header.kid)
    if key is None or key.tenant.slug != header.tenant_slug:
        raise TokenError("the token's signing key is unknown.")
    if key.algorithm != header.algorithm:
        raise TokenError("the token's algorithm does not match its key.")
    if cached is not None and cached[1] == key.pk:
        claims = cached[2]
    else:
        claims = _decode(str(token), key=key, header=header)
        if digest:
            VERIFIED_CLAIMS.put(digest, header, key.pk, claims)
    principal = _principal(claims, key=key, kind=header.kind)
    if not signing_key_usable_at(key, datetime.now(tz=UTC)):
        raise TokenError("the token's signing key is revoked or retired.", code="token_revoked")
    if token_is_revoked(
        tenant_id=key.tenant_id,
        jti=principal.token_id,
        subject=principal.subject,
        issued_at=principal.issued_at,
    ):
        raise TokenError("the token has been revoked.", code="token_revoked")
    return VerifiedToken(principal=principal, tenant=key.tenant)


def _token_digest(token: object) -> bytes:
    # Only what could be a token is hashed: nothing over the length limit, nothing non-ASCII.
    if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_LENGTH and token.isascii():
        return hashlib.sha256(token.encode()).digest()
    return b""


def token_header_parse(token: object) -> TokenHeader:
    """Read a token's alg, kid, issuer and audience without cryptography; raise TokenError."""
    if not isinstance(token, str) or not token:
        raise TokenError("no token was given.", code="token_missing")
    if len(token) > MAX_TOKEN_LENGTH:
        raise TokenError(
            f"the token is over {MAX_TOKEN_LENGTH} characters.", code="token_malformed"
        )
    if not TOKEN_PATTERN.fullmatch(token):
        raise TokenError("the token is not three base64url segments.", code="token_malformed")
    header_segment, payload_segment, _ = token.split(".")
    header = _segment_json(header_segment)
    algorithm, kid = header.get("alg"), header.get("kid")
    if not isinstance(algorithm, str) or algorithm not in ALGORITHMS:
        raise TokenError("the token's algorithm is not allowed.")
    if not isinstance(kid, str) or not KID_PATTERN.fullmatch(kid) or "crit" in header:
        raise TokenError("the token's key id is missing or malformed.")
    payload = _segment_json(payload_segment)
    return TokenHeader(
        algorithm=algorithm,
        kid=kid,
        tenant_slug=_tenant_slug(payload.get("iss")),
        kind=_kind(payload.get("aud")),
    )


def _segment_json(segment: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json_decode(raw)
    except (binascii.Error, ValueError, RecursionError):
        raise TokenError("the token is not valid base64url JSON.", code="token_malformed") from None
    if not isinstance(value, dict):
        raise TokenError("the token is not valid base64url JSON.", code="token_malformed")
    return value


def _tenant_slug(issuer: object) -> str:
    if isinstance(issuer, str) and issuer.startswith(ISSUER_PREFIX):
        slug = issuer[len(ISSUER_PREFIX) :]
        if SLUG_PATTERN.fullmatch(slug):
            return slug
    raise TokenError("the token's issuer is not a Parlor tenant.")


def _kind(audience: object) -> PrincipalKind:
    if isinstance(audience, str) and audience in KIND_BY_AUDIENCE:
        return KIND_BY_AUDIENCE[audience]
    raise TokenError("the token's audience is not a Parlor token kind.")


def _verification_key(key: SigningKey) -> Any:
    if key.algorithm == Algorithm.HS256:
        return hmac_secret_decode(key)
    if not isinstance(key.public_jwk, dict):
        raise ValidationFailed("the key has no public JWK.")
    return _public_key(key.algorithm, tuple(sorted(key.public_jwk.items())))


# Keyed by the key material itself, so never stale; building an EC key costs ~50 us per token.
@functools.lru_cache(maxsize=1024)
def _public_key(algorithm: str, jwk_members: tuple[tuple[str, Any], ...]) -> Any:
    return PyJWK(dict(jwk_members), algorithm).key


def _decode(token: str, *, key: SigningKey, header: TokenHeader) -> dict[str, Any]:
    try:
        verification_key = _verification_key(key)
    except (ValidationFailed, PyJWTError, ValueError, TypeError):
        raise TokenError("the token's signing key is unusable.") from None
    try:
        return jwt.decode(
            token,
            verification_key,
            algorithms=[key.algorithm],
            audience=AUDIENCES[header.kind],
            issuer=issuer_for(key.tenant.slug),
            leeway=LEEWAY_SECONDS,
            options={
                "require": REQUIRED_CLAIMS,
                "strict_aud": True,
                "enforce_minimum_key_length": True,
            },
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("the token has expired.", code="token_expired") from None
    except jwt.ImmatureSignatureError:
        raise TokenError("the token is not valid yet.", code="token_not_yet_valid") from None
    except jwt.MissingRequiredClaimError:
        raise TokenError("the token lacks a required claim.") from None
    except jwt.InvalidSignatureError:
        raise TokenError("the token's signature does not verify.") from None
    except jwt.InvalidAudienceError:
        raise TokenError("the token's audience is wrong.") from None
    except jwt.InvalidIssuerError:
        raise TokenError("the token's issuer is wrong.") from None
    except (jwt.PyJWTError, ValueError, TypeError):
        raise TokenError("the token is not valid for Parlor.") from None


def _principal(claims: dict[str, Any], *, key: SigningKey, kind: PrincipalKind) -> Principal:
    issued_at, expires_at, token_id = claims["iat"], claims["exp"], claims["jti"]
    if not (_is_integer(issued_at) and _is_integer(expires_at)) or expires_at <= issued_at:
        raise TokenError("the token's iat and exp must be integers with exp after iat.")
    if expires_at - issued_at > token_ttl_cap(tenant=key.tenant, kind=kind):
        raise TokenError("the token's lifetime is longer than its tenant allows.")
    if not isinstance(token_id, str) or not JTI_PATTERN.fullmatch(token_id):
        raise TokenError("the token's jti must be 1-64 characters of A-Z a-z 0-9 _ -.")
    rooms = claims.get("rooms", [])
    try:
        claims_validate(subject=claims["sub"], name=claims["name"], rooms=rooms)
    except ValidationFailed as error:
        raise TokenError(f"the token's claims are invalid: {error.detail}") from None
    tenant = key.tenant
    return Principal(
        kind=kind,
        subject=claims["sub"],
        name=claims["name"],
        tenant=TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name),
        token_id=token_id,
        issued_at=issued_at,
        expires_at=expires_at,
        rooms=tuple(dict.fromkeys(rooms)),
        key_id=key.kid,
        # Optional profile claims: a malformed one is dropped, never stored (parlor.visitors).
        email=claims["email"] if email_is_valid(claims.get("email")) else "",
        attributes=attributes_read(claims.get("attributes")),
    )


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
