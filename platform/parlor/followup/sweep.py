"""The follow-up sweep: find agent replies a visitor left unread too long, and what to email.

A periodic job, so the posting hot path stays untouched: stored read positions say what the
visitor read, and `Contact.emailed_seq` what was emailed. Claiming a batch moves
`emailed_seq` in the same transaction that defers the send job (procrastinate's Django
connector defers on Django's connection), so a repeated sweep never mails a batch twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction

from parlor.base.identity import PrincipalKind
from parlor.followup.selectors import followup_settings_get

# Contacts with an address, not unsubscribed, whose conversation holds agent messages after
# both what they read and what was emailed, the oldest of which is older than the delay.
DUE_SQL = """
SELECT c.id, GREATEST(c.emailed_seq, COALESCE(mb.read_seq, 0)) AS after_seq, MAX(m.seq)
FROM followup_contact c
JOIN chat_message m ON m.room_id = c.room_id
LEFT JOIN chat_membership mb
  ON mb.room_id = c.room_id AND mb.member_kind = %(visitor)s AND mb.member_id = c.visitor_id
WHERE c.email <> '' AND c.unsubscribed_at IS NULL AND m.sender_kind = %(agent)s
  AND m.seq > GREATEST(c.emailed_seq, COALESCE(mb.read_seq, 0))
GROUP BY c.id, after_seq
HAVING MIN(m.sent_at) <= %(cutoff)s
ORDER BY c.id
LIMIT %(limit)s
"""
BATCH = 500


@dataclass(frozen=True)
class DueEmail:
    """Agent messages (after_seq, up_to_seq] of a contact's conversation, to email."""

    contact_id: int
    after_seq: int
    up_to_seq: int


def followup_claim(*, now: datetime, defer: Callable[[DueEmail], None]) -> list[DueEmail]:
    """Claim every due batch in the current schema and `defer` its send, atomically."""
    delay = timedelta(minutes=followup_settings_get().delay_minutes)
    params = {
        "visitor": PrincipalKind.VISITOR.value,
        "agent": PrincipalKind.AGENT.value,
        "cutoff": now - delay,
        "limit": BATCH,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(DUE_SQL, params)
        due = [DueEmail(*row) for row in cursor.fetchall()]
        for item in due:
            cursor.execute(
                "UPDATE followup_contact SET emailed_seq = %s WHERE id = %s",
                [item.up_to_seq, item.contact_id],
            )
            defer(item)
    return due
