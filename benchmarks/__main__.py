"""`python -m benchmarks [--quick] [--scenarios ...] [--servers ...] [--repeats N]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# `platform/` is Parlor's source root; `make bench` puts it on PYTHONPATH, a bare
# `python -m benchmarks` may not.
_PLATFORM = str(Path(__file__).resolve().parents[1] / "platform")
if _PLATFORM not in sys.path:
    sys.path.insert(0, _PLATFORM)

from benchmarks import readme, results  # noqa: E402
from benchmarks.config import DEFAULT_SCENARIOS, RESULTS_DIR, SCENARIOS, Sizes  # noqa: E402
from benchmarks.runner import log, suite_run  # noqa: E402
from benchmarks.servers import DEFAULT_SERVERS, SERVERS  # noqa: E402


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts, about two minutes")
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=SCENARIOS,
        default=list(DEFAULT_SCENARIOS),
        help="default: all but scaleout (run it with --scenarios scaleout)",
    )
    parser.add_argument("--servers", nargs="+", choices=SERVERS, default=list(DEFAULT_SERVERS))
    parser.add_argument("--repeats", type=int, default=None, help="default: 3, or 1 with --quick")
    parser.add_argument(
        "--no-readme", action="store_true", help="do not update the README (full runs do)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sizes = Sizes.quick() if args.quick else Sizes.full()
    repeats = args.repeats or (1 if args.quick else 3)
    report = suite_run(
        scenarios=args.scenarios,
        servers=args.servers,
        sizes=sizes,
        repeats=repeats,
        quick=args.quick,
    )
    directory = RESULTS_DIR / "quick" if args.quick else RESULTS_DIR
    path = results.write(report, directory)
    log(f"results: {path}")
    if not args.quick and not args.no_readme:
        readme.update(report)
        log("README.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
