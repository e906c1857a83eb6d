"""`python -m parlor.serving [--host H] [--port P] [--server uvicorn|daphne]`: the production
image's entry point, replaced by the server built by server_command()."""

from __future__ import annotations

import argparse
import os

from parlor.serving.command import SERVERS, UVICORN, server_command


def main() -> None:
    """Exec the ASGI server that serves Parlor, with Parlor's limits and guards."""
    parser = argparse.ArgumentParser(prog="python -m parlor.serving", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--server", choices=SERVERS, default=UVICORN)
    parser.add_argument("--log-level", default="info")
    options = parser.parse_args()
    command = server_command(
        host=options.host, port=options.port, server=options.server, log_level=options.log_level
    )
    # exec: the server becomes this process, so it gets the container's signals directly.
    os.execv(command[0], command)  # noqa: S606


if __name__ == "__main__":
    main()
