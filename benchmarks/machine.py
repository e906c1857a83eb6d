"""A description of the machine and software a run measured, for the results and README."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
import time

PACKAGES = ("django", "channels", "channels-redis", "daphne", "uvicorn", "uvloop", "websockets")


def describe() -> dict:
    """Return CPU, cores, memory, kernel, Python, package versions and the load at start."""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "redis": _version(["redis-server", "--version"]),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "packages": {name: _package(name) for name in PACKAGES},
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        return "absent"
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return done.stdout.strip().split(" v=")[-1].split(" ")[0] if done.stdout else "unknown"


def _package(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"
