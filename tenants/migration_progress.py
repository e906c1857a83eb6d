"""Progress of a migration across tenants: tenants done, time per tenant, and an ETA.

On a terminal it is a rich progress bar (rich is already installed as import-linter's
dependency, is maintained, and draws a bar that other output does not tear); elsewhere
(CI logs, a pipe) it is one plain line per tenant, which a log keeps and a bar would not.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@dataclass(frozen=True)
class MigrationOutcome:
    """What migrating one tenant schema did: its time and, if it failed, the error."""

    schema_name: str
    seconds: float
    error: str | None = None


class MigrationProgress:
    """Report each finished tenant of `total` on `stream` (None: silently); a context manager."""

    def __init__(self, total: int, stream: TextIO | None, clock=time.monotonic) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.console = Console(file=stream) if stream is not None else None
        self.bar: Progress | None = None

    def __enter__(self) -> MigrationProgress:
        if self.console is not None and self.console.is_terminal:
            self.bar = Progress(
                TextColumn("migrating tenants"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[last]}"),
                console=self.console,
            )
            self.bar.start()
            self.task = self.bar.add_task("tenants", total=self.total, last="")
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.stop()

    def advance(self, outcome: MigrationOutcome) -> None:
        """Count `outcome` as done and show it."""
        self.done += 1
        status = "FAILED" if outcome.error else "ok"
        last = f"{outcome.schema_name} {status} in {outcome.seconds:.2f} s"
        if self.bar is not None:
            self.bar.update(self.task, advance=1, last=last)
            return
        if self.stream is None:
            return
        self.stream.write(f"[{self.done}/{self.total}] {last}, ETA {self.eta_seconds():.0f} s\n")
        self.stream.flush()

    def eta_seconds(self) -> float:
        """Seconds left at the mean rate so far."""
        if not self.done:
            return 0.0
        elapsed = self.clock() - self.started
        return elapsed / self.done * (self.total - self.done)
