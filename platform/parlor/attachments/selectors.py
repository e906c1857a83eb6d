"""Reads of attachments: one for a principal, a room's for the dashboard, a tenant's usage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.db.models import Sum
from django_tenants.utils import schema_context

from parlor.attachments.grants import (
    ATTACHMENT_ID_PATTERN,
    DownloadTicket,
    download_token_sign,
)
from parlor.attachments.models import Attachment
from parlor.attachments.sniffing import INLINE_TYPES
from parlor.attachments.storage import attachment_storage
from parlor.base.errors import NotFound
from parlor.base.identity import Principal
from parlor.chat.permissions import may_join
from tenants.models import Tenant

DOWNLOAD_PATH = "/api/v1/attachments/files/"


@dataclass(frozen=True)
class AttachmentView:
    """An attachment as a client sees it, with a signed URL that expires."""

    id: str
    room: str
    message: int | None
    name: str
    size: int
    type: str
    width: int | None
    height: int | None
    inline: bool
    url: str

    def as_json(self) -> dict:
        """Return the attachment as the API shows it."""
        return {
            "id": self.id,
            "room": self.room,
            "message": self.message,
            "name": self.name,
            "size": self.size,
            "type": self.type,
            "width": self.width,
            "height": self.height,
            "inline": self.inline,
            "url": self.url,
        }


def attachment_get(*, principal: Principal, attachment_id: object) -> AttachmentView:
    """Return the attachment if `principal` may read its room, else raise NotFound."""
    if not isinstance(attachment_id, str) or not ATTACHMENT_ID_PATTERN.fullmatch(attachment_id):
        raise _missing()
    with schema_context(principal.tenant.schema_name):
        attachment = Attachment.objects.filter(id=attachment_id).first()
    # Another room's attachment is as invisible as one that does not exist.
    if attachment is None or not may_join(principal, attachment.room_id):
        raise _missing()
    return attachment_view(attachment, tenant_id=principal.tenant.id)


def attachments_for_messages(
    *, message_ids: list[int], tenant_id: int
) -> dict[int, AttachmentView]:
    """Return the attachments carried by `message_ids` (current schema), by message id."""
    found = Attachment.objects.filter(message_id__in=message_ids)
    return {item.message_id: attachment_view(item, tenant_id=tenant_id) for item in found}


def attachment_view(attachment: Attachment, *, tenant_id: int) -> AttachmentView:
    """Return `attachment` with a fresh signed download URL scoped to its tenant and room."""
    token = download_token_sign(
        DownloadTicket(tenant_id=tenant_id, room=attachment.room_id, attachment_id=attachment.id)
    )
    return AttachmentView(
        id=attachment.id,
        room=attachment.room_id,
        message=attachment.message_id,
        name=attachment.name,
        size=attachment.size,
        type=attachment.content_type,
        width=attachment.width,
        height=attachment.height,
        inline=attachment.content_type in INLINE_TYPES,
        url=DOWNLOAD_PATH + token,
    )


def attachment_download(*, ticket: DownloadTicket) -> tuple[Attachment, IO[bytes]]:
    """Return the attachment a verified ticket names, and its file opened; raise NotFound."""
    tenant = Tenant.objects.exclude(schema_name="public").filter(id=ticket.tenant_id).first()
    if tenant is None:
        raise _missing()
    with schema_context(tenant.schema_name):
        attachment = Attachment.objects.filter(id=ticket.attachment_id, room_id=ticket.room).first()
    if attachment is None:
        raise _missing()
    return attachment, attachment_storage().open(attachment.storage_key, "rb")


def attachment_storage_bytes(tenant: Tenant) -> int:
    """Return the bytes the tenant's attachments take in storage (for quotas)."""
    with schema_context(tenant.schema_name):
        total = Attachment.objects.aggregate(total=Sum("size"))["total"]
    return int(total or 0)


def _missing() -> NotFound:
    return NotFound("no such attachment.", code="attachment_not_found")
