"""Group commit: concurrent senders across rooms, each acked once and only after its commit."""

from __future__ import annotations

import asyncio
from collections import Counter

import psycopg
import pytest
from django.utils import timezone

from parlor.base import pool
from parlor.base.db import in_schema
from parlor.base.errors import ApplicationError
from parlor.base.identity import PrincipalKind, TenantRef
from parlor.base.schemas import tenant_schema
from parlor.chat import ingest, posting, statements, store
from parlor.chat.models import ConversationEvent, Message, Room
from parlor.chat.tests.support import principal_for, tenant_ref, unique
from parlor.testing.tenants import COMMIT_FAIL_MARK
from parlor.testing.tenants import failpoint_tenant as failpoint_tenant_created

pytestmark = pytest.mark.usefixtures("live_db")

SENDERS = 50
ROOMS = 10
MESSAGES_EACH = 4
FAIL_MARK = COMMIT_FAIL_MARK


@pytest.fixture(scope="module")
def failpoint_tenant(django_db_setup, django_db_blocker):
    """A tenant whose COMMIT fails for any message whose body starts with FAIL_MARK."""
    with failpoint_tenant_created("group_commit", django_db_blocker) as created:
        yield created


@pytest.fixture
def batch_sizes(monkeypatch):
    """The size of every batch the writer commits."""
    sizes: list[int] = []
    commit = ingest._commit

    async def counted(batch):
        sizes.append(len(batch))
        return await commit(batch)

    monkeypatch.setattr(ingest, "_commit", counted)
    return sizes


async def run_senders(created, *, failing=lambda sender, number: False):
    """50 senders, 5 per room, each sending MESSAGES_EACH messages and one resend."""
    rooms = [unique("gc") for _ in range(ROOMS)]
    opener = principal_for(created)
    for room in rooms:
        await store.room_join(
            tenant=opener.tenant,
            room_id=room,
            principal=opener,
            since_seq=None,
            recent=1,
            page_size=1,
        )
    acks: list[tuple] = []
    failures: list[tuple] = []
    start = asyncio.Event()

    async def sender(index: int) -> None:
        principal = principal_for(created)
        room = rooms[index % ROOMS]
        await start.wait()
        for number in [*range(MESSAGES_EACH), 0]:  # the last one repeats client_msg_id c0
            body = f"{FAIL_MARK} {number}" if failing(index, number) else f"s{index} m{number}"
            try:
                await posting.message_post_async(
                    sender=principal,
                    room_id=room,
                    body=body,
                    client_msg_id=f"c{number}",
                    acknowledge=lambda sent: acks.append(
                        (room, principal.subject, sent.message.id, sent.message.seq, sent.created)
                    ),
                )
            except ApplicationError as error:
                failures.append((room, principal.subject, f"c{number}", error.code))

    tasks = [asyncio.ensure_future(sender(index)) for index in range(SENDERS)]
    start.set()
    await asyncio.gather(*tasks)
    return rooms, acks, failures


def stored_rows(rooms: list[str]) -> list[tuple]:
    rows = Message.objects.filter(room_id__in=rooms).order_by("room_id", "seq")
    return list(rows.values_list("room_id", "sender_id", "id", "seq", "body"))


def assert_gap_free(rows: list[tuple], rooms: list[str]) -> None:
    for room in rooms:
        seqs = [seq for room_id, _, _, seq, _ in rows if room_id == room]
        assert seqs == list(range(1, len(seqs) + 1)), room


async def test_fifty_concurrent_senders_are_each_stored_once_gap_free(tenant_alpha, batch_sizes):
    rooms, acks, failures = await run_senders(tenant_alpha)
    rows = await in_schema(tenant_alpha.tenant.schema_name, stored_rows, rooms)
    assert failures == []
    assert max(batch_sizes) > 1, "concurrent sends were not committed together"
    assert len(rows) == SENDERS * MESSAGES_EACH
    assert_gap_free(rows, rooms)
    stored = {(room, sender, id_, seq) for room, sender, id_, seq, _ in rows}
    assert {ack[:4] for ack in acks} == stored
    # Each sender's resend of c0 came back as the first, not as a new row.
    assert Counter(created for *_, created in acks) == {
        True: SENDERS * MESSAGES_EACH,
        False: SENDERS,
    }


async def test_a_commit_that_aborts_acks_nothing_it_held(failpoint_tenant, batch_sizes):
    def failing(index: int, number: int) -> bool:
        return index % 7 == 0 and number == 2

    rooms, acks, failures = await run_senders(failpoint_tenant, failing=failing)
    rows = await in_schema(failpoint_tenant.tenant.schema_name, stored_rows, rooms)
    poisoned = {index for index in range(SENDERS) if index % 7 == 0}
    assert max(batch_sizes) > 1
    # Only the poisoned sends failed, each with `internal`; their batch-mates were written again.
    assert len(failures) == len(poisoned)
    assert {code for *_, code in failures} == {"internal"}
    assert len(rows) == SENDERS * MESSAGES_EACH - len(poisoned)
    assert_gap_free(rows, rooms)
    # Every ack names a stored row: nothing was acknowledged before its own commit.
    stored = {(room, sender, id_, seq) for room, sender, id_, seq, _ in rows}
    assert {ack[:4] for ack in acks} == stored
    assert not [body for *_, body in rows if body.startswith(FAIL_MARK)]


@pytest.mark.parametrize(
    ("body", "client_msg_id", "code"),
    [
        ("x" * 4097, "a", "body_too_large"),
        ("é" * 2049, "a", "body_too_large"),
        ("x" * 1_000_000, "a", "body_too_large"),
        ("   ", "a", "body_empty"),
        ("nul \x00", "a", "invalid_field"),
        ("ok", "x" * 65, "invalid_field"),
    ],
)
async def test_a_send_over_the_limits_is_refused_before_it_takes_a_connection(
    tenant_alpha, monkeypatch, body, client_msg_id, code
):
    def no_connection():
        raise AssertionError("a refused send asked the pool for a connection")

    monkeypatch.setattr(pool, "hot_pool", no_connection)
    with pytest.raises(ApplicationError) as refused:
        await posting.message_post_async(
            sender=principal_for(tenant_alpha),
            room_id=unique("limits"),
            body=body,
            client_msg_id=client_msg_id,
        )
    assert refused.value.code == code


class _Schema:
    """Stands in for a TenantSchema: the writer only hashes and compares it."""


@pytest.fixture
def stub_commits(monkeypatch):
    """The writer's commits, each recorded by size and answered at once (no database)."""
    sizes: list[int] = []

    async def commit(batch):
        sizes.append(len(batch))
        await asyncio.sleep(0)
        return [None] * len(batch)

    monkeypatch.setattr(ingest, "_commit", commit)
    return sizes


async def _store(writer, schema) -> None:
    with pytest.raises(ApplicationError):  # the stub stores nothing: "no such room"
        await writer.store(schema=schema, params={}, begins_conversation=False)


@pytest.mark.django_db(databases=[])
async def test_an_idle_lane_writes_a_send_at_once(stub_commits):
    writer = ingest.MessageWriter(batch_max=200, tenant_max=20, linger=5.0)
    await asyncio.wait_for(_store(writer, _Schema()), timeout=1.0)  # no 5 s linger
    assert stub_commits == [1]


async def _busy(writer, schema) -> None:
    """Two sends at once: the lane writes them as one batch, so it is under load now."""
    await asyncio.gather(_store(writer, schema), _store(writer, schema))


@pytest.mark.django_db(databases=[])
async def test_a_busy_lane_lingers_and_commits_what_came_meanwhile_together(stub_commits):
    writer = ingest.MessageWriter(batch_max=200, tenant_max=20, linger=0.05)
    schema = _Schema()
    await _busy(writer, schema)
    first = asyncio.ensure_future(_store(writer, schema))
    await asyncio.sleep(0.01)  # inside the linger: these join the first send's batch
    rest = [asyncio.ensure_future(_store(writer, schema)) for _ in range(3)]
    await asyncio.gather(first, *rest)
    assert stub_commits == [2, 4]


@pytest.mark.django_db(databases=[])
async def test_a_lingering_lane_writes_as_soon_as_it_holds_enough(stub_commits):
    writer = ingest.MessageWriter(batch_max=200, tenant_max=20, linger=5.0)
    schema = _Schema()
    await _busy(writer, schema)
    sends = [asyncio.ensure_future(_store(writer, schema)) for _ in range(writer.enough)]
    await asyncio.wait_for(asyncio.gather(*sends), timeout=1.0)  # woken early, not after 5 s
    assert stub_commits == [2, writer.enough]


@pytest.mark.django_db(databases=[])
async def test_a_lane_whose_sends_come_one_at_a_time_never_lingers(stub_commits):
    # A quiet tenant beside a busy one: lingering added up to `linger` to each of its acks.
    writer = ingest.MessageWriter(batch_max=200, tenant_max=20, linger=5.0)
    schema = _Schema()
    for _ in range(3):
        await asyncio.wait_for(_store(writer, schema), timeout=1.0)  # no 5 s linger
    assert stub_commits == [1, 1, 1]


# The batch statement (INSERT_MESSAGES) against the one-send statement (INSERT_MESSAGE): the
# same sends, once one by one and once as one batch, into two sets of like rooms.
ROLES = ("a", "b", "resolved", "snoozed")


def rooms_made(prefix: str) -> dict[str, str]:
    """Two channels, a resolved and a snoozed conversation; return role -> room id."""
    rooms = {role: unique(f"{prefix}-{role}") for role in ROLES}
    Room.objects.create(id=rooms["a"], kind="channel")
    Room.objects.create(id=rooms["b"], kind="channel")
    Room.objects.create(id=rooms["resolved"], kind="conversation", status="resolved")
    Room.objects.create(
        id=rooms["snoozed"], kind="conversation", status="snoozed", snoozed_until=timezone.now()
    )
    return rooms


def pending(schema, role_rooms, role, principal, body, client_msg_id) -> ingest.PendingSend:
    room = role_rooms.get(role, role)  # a role with no room: a room that does not exist
    params = statements.send_params(
        room_id=room, sender=principal, body=body, client_msg_id=client_msg_id,
        sent_at=timezone.now(),
    )  # fmt: skip
    return ingest.PendingSend(schema, params, False, asyncio.get_running_loop().create_future())


def outcome(row, role_of: dict[str, str]):
    if row is None:
        return None
    sent = statements.sent_from_row(row)
    message = sent.message
    return (
        sent.created, sent.reopened_from, role_of[message.room_id], message.seq,
        message.sender_id, message.body, message.client_msg_id,
    )  # fmt: skip


def rooms_state(rooms: dict[str, str]) -> dict[str, tuple]:
    state = {}
    for role, room_id in rooms.items():
        room = Room.objects.get(id=room_id)
        events = ConversationEvent.objects.filter(room_id=room_id).order_by("id")
        state[role] = (
            room.last_seq, room.status, room.snoozed_until is None,
            [(event.kind, event.actor, event.detail) for event in events],
        )  # fmt: skip
    return state


async def test_a_batch_stores_exactly_what_its_sends_one_by_one_would(tenant_alpha):
    schema = tenant_schema(tenant_ref(tenant_alpha))
    name = tenant_alpha.tenant.schema_name
    user, other = principal_for(tenant_alpha), principal_for(tenant_alpha)
    agent = principal_for(tenant_alpha, PrincipalKind.AGENT, name="Ann")
    visitor = principal_for(tenant_alpha, PrincipalKind.VISITOR, name="Vic")
    sends = [
        ("a", user, "one", "c1"),
        ("b", user, "two", "c1"),
        ("a", user, "resent", "c0"),  # stored before: returned, not stored again
        ("resolved", agent, "agent first", "c1"),  # an agent's message reopens nothing
        ("resolved", visitor, "reopens", "c1"),
        ("resolved", visitor, "after", "c2"),
        ("nowhere", user, "lost", "c1"),
        ("a", other, "three", "c1"),
        ("snoozed", visitor, "wakes", "c1"),
        ("b", user, 'He said "hi" \\ <b>\u00e9 \U0001f600</b>\n\t%s $1', "c2"),  # text as it came
    ]
    results = {}
    for path in ("alone", "batch"):
        rooms = await in_schema(name, rooms_made, path)
        role_of = {room_id: role for role, room_id in rooms.items()}
        await ingest._insert([pending(schema, rooms, "a", user, "first", "c0")], begin=False)
        batch = [pending(schema, rooms, *send) for send in sends]
        if path == "alone":
            rows = [(await ingest._insert([each], begin=False))[0] for each in batch]
        else:
            rows = await ingest._insert(batch, begin=False)
            # A new row holds its send's time to the microsecond (JSON carried it).
            created = [(row, each) for row, each in zip(rows, batch) if row and row[0]]
            times = [(statements.sent_from_row(row).message.sent_at, each.params["sent_at"])
                     for row, each in created]  # fmt: skip
            assert len(times) == 8 and all(stored == given for stored, given in times), times
        results[path] = (
            [outcome(row, role_of) for row in rows],
            await in_schema(name, rooms_state, rooms),
        )
    assert results["batch"] == results["alone"]
    outcomes, state = results["batch"]
    assert [each and each[:2] for each in outcomes] == [
        (True, None), (True, None), (False, None), (True, None), (True, "resolved"),
        (True, None), None, (True, None), (True, "snoozed"), (True, None),
    ]  # fmt: skip
    assert [each and each[3] for each in outcomes] == [2, 1, 1, 1, 2, 3, None, 3, 1, 2]
    assert outcomes[-1][5] == sends[-1][2]
    assert state["resolved"][:3] == (3, "open", True)
    assert [event[:2] for event in state["resolved"][3]] == [("status_changed", "Vic")]


async def test_one_client_msg_id_twice_in_a_batch_is_stored_once(tenant_alpha):
    schema = tenant_schema(tenant_ref(tenant_alpha))
    rooms = await in_schema(tenant_alpha.tenant.schema_name, rooms_made, "twice")
    user = principal_for(tenant_alpha)
    batch = [pending(schema, rooms, "a", user, body, "same") for body in ("first", "again")]
    with pytest.raises(pool.DatabaseFailed):  # the unique key spoils the batch ...
        await ingest._insert(batch, begin=False)
    # ... and the writer stores each send alone: the second is the first's repeat.
    await ingest.MessageWriter(batch_max=10)._write(batch)
    first, again = [each.future.result() for each in batch]
    assert (first.created, again.created) == (True, False)
    assert again.message == first.message


def test_raw_statements_number_each_name_once_in_order():
    schema = tenant_schema(TenantRef(id=1, slug="t", schema_name="tenant_x"))
    text, names = statements.raw_statement(
        "SELECT %(b)s, %(a)s, %(b)s, 'x%%' FROM {message}", schema
    )
    assert text == 'SELECT $1, $2, $1, \'x%\' FROM "tenant_x"."chat_message"'
    assert names == ("b", "a")
    assert statements.raw_values(names, {"a": 1, "b": 2}) == [2, 1]


async def test_a_send_json_cannot_carry_fails_alone_and_its_batch_mates_are_stored(tenant_alpha):
    schema = tenant_schema(tenant_ref(tenant_alpha))
    rooms = await in_schema(tenant_alpha.tenant.schema_name, rooms_made, "surrogate")
    good = principal_for(tenant_alpha)
    # A lone surrogate can arrive in a token's name claim: neither JSON nor UTF-8 carries it.
    bad = principal_for(tenant_alpha, name="broken \ud800")
    batch = [
        pending(schema, rooms, "a", good, "before", "c1"),
        pending(schema, rooms, "a", bad, "bad", "c1"),
        pending(schema, rooms, "b", good, "after", "c1"),
    ]
    await ingest.MessageWriter(batch_max=10)._write(batch)
    assert batch[1].future.exception() is not None
    stored = [batch[0].future.result(), batch[2].future.result()]
    assert [(sent.created, sent.message.body) for sent in stored] == [
        (True, "before"),
        (True, "after"),
    ]


async def test_a_batch_to_existing_rooms_is_one_autocommit_statement(tenant_alpha, monkeypatch):
    # BEGIN, COMMIT and pipeline mode cost ~10 % of a send's CPU at 2,000 sends/s (issue 11):
    # a single INSERT is its own transaction, durable once psycopg returns its rows.
    schema = tenant_schema(tenant_ref(tenant_alpha))
    rooms = await in_schema(tenant_alpha.tenant.schema_name, rooms_made, "autocommit")
    user = principal_for(tenant_alpha)
    blocks: list[str] = []
    for name in ("transaction", "pipeline"):
        original = getattr(psycopg.AsyncConnection, name)

        def recorded(self, *args, _name=name, _original=original, **kwargs):
            blocks.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(psycopg.AsyncConnection, name, recorded)
    batch = [pending(schema, rooms, "a", user, f"m{n}", f"c{n}") for n in range(3)]
    rows = await ingest._insert(batch, begin=False)
    assert blocks == []
    assert [statements.sent_from_row(row).message.seq for row in rows] == [1, 2, 3]
    stored = await in_schema(tenant_alpha.tenant.schema_name, stored_rows, [rooms["a"]])
    assert [body for *_, body in stored] == ["m0", "m1", "m2"]
