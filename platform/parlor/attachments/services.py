"""Writes of attachments: grant an upload, take the upload, delete files with their rows."""

from __future__ import annotations

import contextlib
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django_tenants.utils import schema_context

from parlor.attachments.archives import zip_check
from parlor.attachments.grants import (
    UploadGrant,
    attachment_id_new,
    upload_grant_sign,
)
from parlor.attachments.images import image_clean
from parlor.attachments.models import Attachment
from parlor.attachments.policy import policy_get
from parlor.attachments.sniffing import IMAGE_TYPES, SNIFF_BYTES, content_type_sniff
from parlor.attachments.storage import attachment_storage, storage_key
from parlor.base.conf import setting
from parlor.base.errors import (
    Conflict,
    PayloadTooLarge,
    PermissionDenied,
    QuotaExceeded,
    UnsupportedMediaType,
    ValidationFailed,
)
from parlor.base.identity import Principal, PrincipalKind, TenantRef
from parlor.chat.permissions import may_join
from parlor.chat.posting import message_post
from tenants.models import Tenant
from tenants.quota_refusals import quota_refusal_record
from tenants.quotas import ATTACHMENT_BYTES, tenant_quotas

NAME_MAX_LENGTH = 200
READ_CHUNK_BYTES = 64 * 1024
# Uploads up to this size stay in memory while they are checked; larger ones spill to disk.
SPOOL_MEMORY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class IssuedGrant:
    """A signed upload grant, when it expires, and the policy the upload must meet."""

    grant: str
    attachment_id: str
    expires_at: datetime
    max_bytes: int
    allowed_types: list[str]


def upload_grant_issue(
    *, principal: Principal, room_id: object, name: object, size: object, origin: str | None
) -> IssuedGrant:
    """Grant `principal` one upload of `name` to `room_id`; refuse a room it may not write to."""
    if not isinstance(room_id, str) or not room_id or not may_join(principal, room_id):
        raise PermissionDenied("this token may not send files to that room.", code="forbidden")
    clean_name = name_clean(name)
    with schema_context(principal.tenant.schema_name):
        policy = policy_get()
    if size is not None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValidationFailed("size must be the file's size in bytes.", code="invalid_field")
        _size_check(size, policy.max_bytes)
    storage_quota_check(
        tenant_id=principal.tenant.id, schema_name=principal.tenant.schema_name, adding=size or 0
    )
    grant = UploadGrant(
        tenant_id=principal.tenant.id,
        schema_name=principal.tenant.schema_name,
        tenant_slug=principal.tenant.slug,
        room=room_id,
        sender_kind=principal.kind.value,
        sender_id=principal.subject,
        sender_name=principal.name,
        attachment_id=attachment_id_new(),
        name=clean_name,
        max_bytes=policy.max_bytes,
        allowed_types=policy.allowed_types,
        origin=origin or "",
    )
    lifetime = timedelta(seconds=setting("ATTACHMENT_GRANT_SECONDS"))
    return IssuedGrant(
        grant=upload_grant_sign(grant),
        attachment_id=grant.attachment_id,
        expires_at=datetime.now(tz=UTC) + lifetime,
        max_bytes=policy.max_bytes,
        allowed_types=policy.allowed_types,
    )


def attachment_upload(
    *, grant: UploadGrant, stream: IO[bytes], content_length: int | None
) -> Attachment:
    """Check, clean and store the upload `grant` allows, and post the message that carries it.

    Refused before anything is stored: over the size limit (read no further than the limit),
    a type the tenant does not allow (sniffed), an image with too many pixels (from its
    header), a zip bomb (from its directory), a grant already used.
    """
    if content_length is not None:
        _size_check(content_length, grant.max_bytes)
    with _bounded_copy(stream, grant.max_bytes) as spool:
        spool.seek(0, 2)
        storage_quota_check(
            tenant_id=grant.tenant_id, schema_name=grant.schema_name, adding=spool.tell()
        )
        spool.seek(0)
        content_type = content_type_sniff(spool.read(SNIFF_BYTES))
        spool.seek(0)
        if content_type not in grant.allowed_types:
            raise UnsupportedMediaType(
                f"files of type {content_type} are not accepted here.", code="type_refused"
            )
        content, width, height = _content_checked(spool, content_type)
        return _attachment_store(
            grant=grant, content=content, content_type=content_type, width=width, height=height
        )


def attachments_delete(*, room_ids: list[str], uploader: tuple[str, str] | None = None) -> int:
    """Delete the attachments in `room_ids` (and those `uploader` sent anywhere), files too.

    Runs in the current tenant's schema; the files go once the rows' deletion has committed.
    """
    where = Q(room_id__in=room_ids)
    if uploader is not None:
        where |= Q(uploader_kind=uploader[0], uploader_id=uploader[1])
    doomed = Attachment.objects.filter(where)
    keys = list(doomed.values_list("storage_key", flat=True))
    count = doomed.delete()[0]
    storage = attachment_storage()

    def delete_files() -> None:
        for key in keys:
            storage.delete(key)

    transaction.on_commit(delete_files)
    return count


def name_clean(name: object) -> str:
    """Return a file name safe to show and store: no path, no control characters, bounded."""
    if not isinstance(name, str):
        raise ValidationFailed("name must be the file's name.", code="invalid_field")
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if not printable or printable in {".", ".."}:
        raise ValidationFailed("name must be the file's name.", code="invalid_field")
    return printable[:NAME_MAX_LENGTH]


def storage_quota_check(*, tenant_id: int, schema_name: str, adding: int) -> None:
    """Refuse a file that would take the tenant's stored attachments past its plan's quota."""
    tenant = Tenant.objects.get(id=tenant_id)
    quota = tenant_quotas(tenant).attachment_bytes
    with schema_context(schema_name):
        used = Attachment.objects.aggregate(total=Sum("size"))["total"] or 0
    if used + adding <= quota:
        return
    quota_refusal_record(tenant_id=tenant_id, quota=ATTACHMENT_BYTES)
    raise QuotaExceeded(
        f"the tenant's plan stores at most {quota} bytes of files; delete some or change plans.",
        quota=ATTACHMENT_BYTES,
    )


def _size_check(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise PayloadTooLarge(
            f"the file is over this site's limit of {max_bytes} bytes.", code="file_too_large"
        )


@contextlib.contextmanager
def _bounded_copy(stream: IO[bytes], max_bytes: int) -> Iterator[IO[bytes]]:
    """Yield a temporary copy of `stream`, refused as soon as it grows past `max_bytes`."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES) as spool:
        total = 0
        while chunk := stream.read(READ_CHUNK_BYTES):
            total += len(chunk)
            # Refused here, before the next chunk is read: never more than the limit is kept.
            _size_check(total, max_bytes)
            spool.write(chunk)
        if total == 0:
            raise ValidationFailed("the file is empty.", code="file_empty")
        spool.seek(0)
        yield spool


def _content_checked(spool: IO[bytes], content_type: str) -> tuple[File, int | None, int | None]:
    if content_type in IMAGE_TYPES:
        clean = image_clean(spool, content_type=content_type)
        return ContentFile(clean.data), clean.width, clean.height
    if content_type == "application/zip":
        zip_check(spool)
        spool.seek(0)
    return File(spool), None, None


def _attachment_store(
    *, grant: UploadGrant, content: File, content_type: str, width: int | None, height: int | None
) -> Attachment:
    storage = attachment_storage()
    with schema_context(grant.schema_name):
        if Attachment.objects.filter(id=grant.attachment_id).exists():
            raise _used()
        key = storage_key(
            schema_name=grant.schema_name, room_id=grant.room, attachment_id=grant.attachment_id
        )
        stored_key = storage.save(key, content)
        try:
            with transaction.atomic():
                sent = message_post(
                    sender=_grant_sender(grant),
                    room_id=grant.room,
                    body=f"\N{PAPERCLIP} {grant.name}",
                    client_msg_id=grant.attachment_id,
                )
                return Attachment.objects.create(
                    id=grant.attachment_id,
                    room_id=grant.room,
                    message_id=sent.message.id,
                    uploader_kind=grant.sender_kind,
                    uploader_id=grant.sender_id,
                    name=grant.name,
                    size=content.size,
                    content_type=content_type,
                    width=width,
                    height=height,
                    storage_key=stored_key,
                )
        except IntegrityError:
            storage.delete(stored_key)
            raise _used() from None
        except BaseException:
            storage.delete(stored_key)
            raise


def _grant_sender(grant: UploadGrant) -> Principal:
    # The grant was issued to this principal for this room; it writes as that principal.
    return Principal(
        kind=PrincipalKind(grant.sender_kind),
        subject=grant.sender_id,
        name=grant.sender_name,
        tenant=TenantRef(id=grant.tenant_id, slug=grant.tenant_slug, schema_name=grant.schema_name),
        token_id=grant.attachment_id,
        issued_at=0,
        expires_at=0,
        rooms=(grant.room,),
    )


def _used() -> Conflict:
    return Conflict("this upload grant was already used; ask for a new one.", code="grant_used")
