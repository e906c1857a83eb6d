"""Settings for a developer's machine: base with its defaults (DEBUG is set by `make run`)."""

from parlor.settings.base import *  # noqa: F403
