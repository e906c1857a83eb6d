#!/usr/bin/env python
"""Django's command-line utility for Parlor."""

import os
import sys
from pathlib import Path

# platform/ is a source root, not a package: a platform/__init__.py would shadow the
# standard library's `platform` module.
sys.path.insert(1, str(Path(__file__).resolve().parent / "platform"))


def main() -> None:
    """Run a Django management command with Parlor's local settings by default."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parlor.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
