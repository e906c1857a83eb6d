"""Indexes of search, export and analytics (issue 12, items 6 and 8).

A GIN index on the messages' text for full-text search (parlor.chat.search: the query's
expression must be exactly `to_tsvector('simple', body)` to use it), and B-tree indexes for
date ranges: messages by (sent_at, id) for exports' keyset pages, rooms by created_at for
analytics. Raw SQL: none of these changes the models' state.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("chat", "0002_conversation_workflow"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS chat_message_body_search"
            " ON chat_message USING gin (to_tsvector('simple', body))",
            "DROP INDEX IF EXISTS chat_message_body_search",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS chat_message_sent_at_id ON chat_message (sent_at, id)",
            "DROP INDEX IF EXISTS chat_message_sent_at_id",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS chat_room_created_at ON chat_room (created_at)",
            "DROP INDEX IF EXISTS chat_room_created_at",
        ),
    ]
