"""The ceiling: a bare asyncio `websockets` broadcast server with no framework, auth or storage.

Speaks the tutorial's shape: connect to /ws/chat/<room>/, send {"message": ...}; every
member of the room, the sender included, receives the same frame.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from collections import defaultdict

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

ROOM_PATH = re.compile(r"^/ws/chat/(?P<room>\w+)/$")

rooms: dict[str, set[ServerConnection]] = defaultdict(set)


async def handler(connection: ServerConnection) -> None:
    """Join the room named in the path, then broadcast every text frame to its members."""
    match = ROOM_PATH.match(connection.request.path if connection.request else "")
    if match is None:
        await connection.close(4404, "no such room")
        return
    members = rooms[match["room"]]
    members.add(connection)
    try:
        while True:
            message = await connection.recv(decode=False)
            broadcast(members, message, text=True)
    except ConnectionClosed:
        pass
    finally:
        members.discard(connection)


async def serve_forever(host: str, port: int) -> None:
    """Serve on host:port until cancelled; compression is off like every server here."""
    async with serve(handler, host, port, compression=None, max_size=65536, ping_interval=None):
        await asyncio.get_running_loop().create_future()


def main() -> None:
    """Run the bare server (on uvloop when it is installed: this is the ceiling)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(serve_forever(args.host, args.port))
    except ImportError:
        asyncio.run(serve_forever(args.host, args.port))


if __name__ == "__main__":
    main()
