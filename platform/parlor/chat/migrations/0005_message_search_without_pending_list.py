"""The search index takes each message as it is stored, not through GIN's pending list.

With `fastupdate` on (PostgreSQL's default) a GIN index queues new entries in a pending list
and merges the whole list into the index when it passes `gin_pending_list_limit` (4 MB): the
insert that crosses the limit pays for the merge, and with it every send of its batch waits.
At 2,000 sends a second that was one send statement of 65 ms every few seconds, the ack
p99's worst stall (issue 11). Off, every insert pays a small, steady share instead.

Expand-only: `ALTER INDEX ... SET` takes a lock that lets inserts go on; entries already in
the pending list stay searchable and are merged by the next vacuum.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("chat", "0004_message_idempotency_key"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER INDEX IF EXISTS chat_message_body_search SET (fastupdate = off)",
            "ALTER INDEX IF EXISTS chat_message_body_search RESET (fastupdate)",
        ),
    ]
