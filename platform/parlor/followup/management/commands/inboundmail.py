"""`manage.py inboundmail`: post the reply in a raw RFC 5322 message read from stdin."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from parlor.base.errors import ApplicationError
from parlor.followup.inbound import email_reply_receive, raw_message_parse

MAX_BYTES = 10 * 1024 * 1024


class Command(BaseCommand):
    help = "Read one email from stdin and post it into the conversation its reply token names."

    def handle(self, *args, **options) -> None:
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise CommandError(f"the message is over {MAX_BYTES} bytes; nothing was stored.")
        try:
            sent = email_reply_receive(reply=raw_message_parse(raw), now=timezone.now())
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.detail} Nothing was stored.") from error
        self.stdout.write(f"posted {sent.message.room_id}#{sent.message.seq}")
