"""RoomFollower after a layer outage: storage fills queue for the pool, never pile on it."""

from __future__ import annotations

import asyncio

from parlor.chat.delivery import RoomStream
from parlor.chat.following import RoomFollower
from parlor.chat.tests.support import until


class HeldFollower(RoomFollower):
    """A follower whose storage fill waits for `release`, counting fills in progress."""

    running = 0
    peak = 0
    finished = 0
    release: asyncio.Event

    def __init__(self) -> None:
        super().__init__(tenant=None, auth=None, fanout=None, listener=None,  # type: ignore[arg-type]
                         socket_id="s", push=lambda text: None, page_size=10)  # fmt: skip
        self.streams["lobby"] = RoomStream(delivered=0)

    async def _fill(self, room: str, upto_gap: bool) -> None:
        cls = type(self)
        cls.running += 1
        cls.peak = max(cls.peak, cls.running)
        try:
            await cls.release.wait()
        finally:
            cls.running -= 1
            cls.finished += 1


async def test_a_process_wide_catch_up_runs_at_most_pool_size_fills_at_once(settings):
    settings.PARLOR = {**settings.PARLOR, "DB_POOL_MAX_SIZE": 3}
    HeldFollower.release = asyncio.Event()
    followers = [HeldFollower() for _ in range(40)]
    for follower in followers:
        follower.catch_up_all()
    await until(lambda: HeldFollower.running == 3)
    for _ in range(5):
        await asyncio.sleep(0)  # every other fill had its turn to start, and did not
    assert HeldFollower.running == 3
    HeldFollower.release.set()
    await until(lambda: HeldFollower.finished == 40)
    assert HeldFollower.peak == 3
    assert all(not follower.gap_checks for follower in followers)
