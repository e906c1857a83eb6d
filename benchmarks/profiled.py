"""`python -m benchmarks.profiled OUT -m uvicorn ...`: a server under cProfile (experiments only).

uvicorn restores the signal handlers it found and raises the signal again once it has shut
down; the handler installed here is the one it finds, so the profile is written then.
"""

from __future__ import annotations

import cProfile
import os
import runpy
import signal
import sys


def main() -> None:
    """Run the module named after `-m` under cProfile; write the profile on SIGTERM/SIGINT."""
    out, module = sys.argv[1], sys.argv[3]
    sys.argv = [module, *sys.argv[4:]]
    profiler = cProfile.Profile()

    def dump(*_: object) -> None:
        profiler.disable()
        profiler.dump_stats(out)
        os._exit(0)

    signal.signal(signal.SIGTERM, dump)
    signal.signal(signal.SIGINT, dump)
    profiler.enable()
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    dump()


if __name__ == "__main__":
    main()
