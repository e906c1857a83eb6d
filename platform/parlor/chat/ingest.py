"""Group commit of a process's concurrent sends: one transaction and one round trip per batch.

Sends that arrive while a batch is being written wait for the next batch, so batches grow
with the load and an idle server writes each send alone. A batch is one INSERT statement,
its own transaction in autocommit (with the rooms it begins, a pipelined transaction); each
sender resumes only after that transaction has committed, with its own row. When one send
spoils a batch (a duplicate racing in from another process, a failing constraint), every
send of it is written again on its own, so one bad send fails alone.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field

from psycopg import AsyncConnection, AsyncRawCursor

from parlor.base.conf import setting
from parlor.base.errors import NotFound
from parlor.base.pool import DatabaseFailed, hot_connection
from parlor.base.schemas import TenantSchema
from parlor.chat import statements
from parlor.chat.records import MessageSent
from parlor.chat.statements import raw_statement, statement


@dataclass(slots=True)
class PendingSend:
    """One send waiting for its batch: its statement parameters and the sender's future."""

    schema: TenantSchema
    params: dict
    begins_conversation: bool
    future: asyncio.Future[MessageSent] = field(repr=False)


# A lane holding this many sends writes them at once: the batch is worth its commit already.
LINGER_ENOUGH = 16


class MessageWriter:
    """Writes the sends of one event loop in group-committed batches, one lane per tenant.

    Each tenant's sends queue in a lane of their own, written one batch at a time (so a
    room's messages commit in the order they were sent); up to `writers` lanes write at
    once, each on its own pooled connection, and lanes beyond that wait their turn in
    arrival order. A tenant with a backlog therefore grows its own batches while another
    tenant's send starts on a free connection instead of waiting for that backlog's commit.
    While another lane waits for a writer, a batch holds at most `tenant_max` sends, so no
    tenant's backlog holds a writer long (docs/quotas.md).
    """

    def __init__(
        self, *, batch_max: int, tenant_max: int = 0, writers: int = 1, linger: float = 0.0
    ) -> None:
        self.batch_max = batch_max
        self.linger = linger
        # When each lane last finished a batch (loop time) and how many sends it held: a lane
        # whose last batch held several, a moment ago, lingers. Kept after the lane's task
        # ends: under load the next send often starts a new one.
        self.last_written: dict[TenantSchema, float] = {}
        self.last_size: dict[TenantSchema, int] = {}
        # A lingering lane's wake-up: set early once it holds enough sends.
        self.wakers: dict[TenantSchema, asyncio.Future[None]] = {}
        self.enough = _linger_enough(tenant_max)
        self.tenant_max = tenant_max
        # Lanes holding sends and waiting for a writer slot: while any does, batches are capped.
        self.lanes_waiting = 0
        self.queues: dict[TenantSchema, list[PendingSend]] = {}
        # held: the loop keeps only weak references to tasks
        self.tasks: dict[TenantSchema, asyncio.Task] = {}
        self.slots = asyncio.Semaphore(max(writers, 1))

    async def store(
        self, *, schema: TenantSchema, params: dict, begins_conversation: bool
    ) -> MessageSent:
        """Store one message; return once the transaction holding it has committed."""
        loop = asyncio.get_running_loop()
        pending = PendingSend(schema, params, begins_conversation, loop.create_future())
        queue = self.queues.setdefault(schema, [])
        queue.append(pending)
        waker = self.wakers.get(schema)
        if waker is not None and len(queue) >= self.enough:
            _wake(waker)
        if schema not in self.tasks:
            self.tasks[schema] = loop.create_task(self._write_queue(schema))
        return await pending.future

    async def _write_queue(self, schema: TenantSchema) -> None:
        try:
            while self.queues.get(schema):
                if self._should_linger(schema):
                    await self._linger(schema)
                await self._slot_taken()
                try:
                    # Taken once the lane holds a writer slot: sends that came meanwhile join.
                    queue, size = self.queues[schema], self._batch_size()
                    batch = queue[:size]
                    del queue[:size]
                    await self._write(batch)
                finally:
                    self.slots.release()
                self.last_written[schema] = asyncio.get_running_loop().time()
                self.last_size[schema] = len(batch)
        finally:
            del self.tasks[schema]
            if not self.queues.get(schema):
                self.queues.pop(schema, None)

    async def _slot_taken(self) -> None:
        """Take a writer slot, counted among the waiting lanes until it is taken."""
        self.lanes_waiting += 1
        try:
            await self.slots.acquire()
        finally:
            self.lanes_waiting -= 1

    def _batch_size(self) -> int:
        """Sends the next batch may hold: `tenant_max` while another lane waits for a writer.

        A lone tenant's backlog goes in batches as large as `batch_max`, so a lane that fell
        behind (a slow commit) catches up in a few commits instead of many small ones.
        """
        if self.tenant_max > 0 and self.lanes_waiting > 0:
            return min(self.tenant_max, self.batch_max)
        return self.batch_max

    async def _linger(self, schema: TenantSchema) -> None:
        """Wait up to `linger` for the lane to hold `enough` sends."""
        loop = asyncio.get_running_loop()
        waker = self.wakers[schema] = loop.create_future()
        timer = loop.call_later(self.linger, _wake, waker)
        try:
            await waker
        finally:
            timer.cancel()
            self.wakers.pop(schema, None)

    def _should_linger(self, schema: TenantSchema) -> bool:
        """Wait for more sends only while the lane is under load and holds just a few.

        Under load means: the lane's last batch, a moment ago, held more than one send. A
        lane whose sends come one at a time (a quiet tenant beside a busy one) never waits:
        lingering there only added up to `linger` to its acks (issue 16's noisy scenario).
        """
        if self.linger <= 0 or len(self.queues[schema]) >= self.enough:
            return False
        if self.last_size.get(schema, 0) <= 1:
            return False
        written = self.last_written.get(schema)
        return written is not None and asyncio.get_running_loop().time() - written < self.linger

    async def _write(self, batch: list[PendingSend]) -> None:
        try:
            rows = await _commit(batch)
        except DatabaseFailed as error:
            if error.connection_lost or len(batch) == 1:
                _fail(batch, error)
                return
            for pending in batch:
                await self._write([pending])
            return
        except Exception as error:  # never leave a sender waiting
            _fail(batch, error)
            return
        for pending, row in zip(batch, rows, strict=True):
            if pending.future.done():
                continue  # the sender went away; its message is stored all the same
            if row is None:
                pending.future.set_exception(NotFound("no such room.", code="not_found"))
            else:
                pending.future.set_result(statements.sent_from_row(row))


async def _commit(batch: list[PendingSend]) -> list[tuple | None]:
    """Store a batch in one transaction; return each send's row (None: no such room)."""
    rows = await _insert(batch, begin=False)
    # A conversation begins with its first message: only then is the room created, in a
    # second transaction (the first one found no room and wrote nothing for these sends).
    missing = [i for i, row in enumerate(rows) if row is None and batch[i].begins_conversation]
    if missing:
        begun = await _insert([batch[i] for i in missing], begin=True)
        for index, row in zip(missing, begun, strict=True):
            rows[index] = row
    return rows


async def _insert(batch: list[PendingSend], *, begin: bool) -> list[tuple | None]:
    async with hot_connection() as connection:
        if not begin:
            return await _insert_autocommit(connection, batch)
        # A conversation begins: its room and the messages go in one transaction.
        schema, params = batch[0].schema, [pending.params for pending in batch]
        async with connection.pipeline(), connection.transaction():
            sql = statement(statements.CONVERSATION_BEGIN, schema)
            await connection.cursor().executemany(sql, params)
            insert, names = raw_statement(statements.INSERT_MESSAGES, schema)
            cursor = AsyncRawCursor(connection)
            await cursor.execute(insert, statements.raw_values(names, _batch_params(params)))
        # Out of the transaction block: COMMIT has succeeded, so every row is durable.
        return _rows_by_send(await cursor.fetchall(), len(batch))


async def _insert_autocommit(
    connection: AsyncConnection, batch: list[PendingSend]
) -> list[tuple | None]:
    """Store a batch with one autocommit statement: no BEGIN, COMMIT or pipeline to pay for.

    psycopg returns once the server is ready for the next query, which is after the
    statement's own commit, so every row is durable when the rows come back.
    """
    cursor = AsyncRawCursor(connection)
    if len(batch) == 1:
        pending = batch[0]
        insert, names = raw_statement(statements.INSERT_MESSAGE, pending.schema)
        await cursor.execute(insert, statements.raw_values(names, pending.params))
        return [await cursor.fetchone()]
    # A batch comes from one lane, so from one tenant's schema: one statement stores it
    # (INSERT_MESSAGES), not one per send: a command and an executor run per batch cost
    # PostgreSQL and psycopg far less than one per send (issue 11).
    schema, params = batch[0].schema, [pending.params for pending in batch]
    insert, names = raw_statement(statements.INSERT_MESSAGES, schema)
    await cursor.execute(insert, statements.raw_values(names, _batch_params(params)))
    return _rows_by_send(await cursor.fetchall(), len(batch))


def _batch_params(params: list[dict]) -> dict:
    try:
        return statements.batch_params(params)
    except TypeError as error:
        # A text JSON cannot carry: nothing was sent; each send is written alone, so only
        # the bad one fails.
        raise DatabaseFailed(connection_lost=False) from error


def _rows_by_send(stored: list[tuple], count: int) -> list[tuple | None]:
    """Return INSERT_MESSAGES' rows in send order, without `ord` (None: no such room)."""
    rows: list[tuple | None] = [None] * count
    for row in stored:
        rows[row[0]] = row[1:]
    return rows


def _linger_enough(tenant_max: int) -> int:
    """Sends that end a lane's linger: half its tenant's cap, at most LINGER_ENOUGH, at least 1."""
    if tenant_max <= 0:
        return LINGER_ENOUGH
    return max(1, min(LINGER_ENOUGH, tenant_max // 2))


def _wake(waker: asyncio.Future[None]) -> None:
    if not waker.done():
        waker.set_result(None)


def _fail(batch: list[PendingSend], error: BaseException) -> None:
    for pending in batch:
        if not pending.future.done():
            pending.future.set_exception(error)


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, MessageWriter] = (
    weakref.WeakKeyDictionary()
)


def message_writer() -> MessageWriter:
    """Return the message writer of the running event loop."""
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        writer = _writers[loop] = MessageWriter(
            batch_max=setting("GROUP_COMMIT_MAX"),
            tenant_max=setting("GROUP_COMMIT_TENANT_MAX"),
            writers=setting("GROUP_COMMIT_WRITERS"),
            linger=setting("GROUP_COMMIT_LINGER_SECONDS"),
        )
    return writer
