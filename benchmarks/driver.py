"""Runs one scenario against one server in the load process and prints its result.

`python -m benchmarks.driver SPEC.json` prints the result as one JSON line; the runner starts
it under `taskset` on the load core. It sits above both the load generator and the scenarios,
so neither imports the other's caller.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from pathlib import Path

from benchmarks import scenarios, wsclient
from benchmarks.adapters import adapter_for
from benchmarks.loadgen import LoadGenerator


def load_spec(path: Path) -> dict:
    """Read a scenario spec written by the runner."""
    return json.loads(path.read_text())


async def run(spec: dict) -> dict:
    """Run the scenario described by `spec` and return its result."""
    tokens: list[str] = []
    if spec.get("tokens_file"):
        tokens = json.loads(Path(spec["tokens_file"]).read_text())
    adapter = adapter_for(spec["protocol"], spec.get("base_urls") or [spec["base_url"]], tokens)
    generator = LoadGenerator(
        adapter, origin=spec["origin"], body_bytes=spec["sizes"]["body_bytes"]
    )
    scenario = getattr(scenarios, spec["scenario"])
    extensions = await negotiated_extensions(adapter, spec["origin"])
    try:
        result = await scenario(generator, spec)
    finally:
        await generator.close_all()
    result["negotiated_extensions"] = extensions
    return result


async def negotiated_extensions(adapter, origin: str) -> str:
    """Offer permessage-deflate once and return what the server accepted ("" means none)."""
    connection = await wsclient.connect(
        adapter.url("probe"),
        subprotocols=adapter.subprotocols(0),
        origin=origin,
        offer_compression=True,
    )
    connection.abort()
    return connection.opened.result().headers.get("Sec-WebSocket-Extensions", "")


def main() -> None:
    """Entry point: run the spec given as the one argument; print the result as JSON."""
    spec = load_spec(Path(sys.argv[1]))
    # A full collection over thousands of sockets stalls every receiver for tens of ms and
    # would show up as server latency; the run is short and creates few reference cycles.
    gc.disable()
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(run(spec))
    else:
        result = uvloop.run(run(spec))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
