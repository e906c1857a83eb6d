"""A friendly, stable label for a visitor with no name ("Blue Otter #4821"), never the raw id.

Derived from a hash of the subject alone, so every process, page and bundle spells one visitor
the same way without storing anything; it reveals nothing of the id it comes from.
"""

from __future__ import annotations

import hashlib

COLOURS = (
    "Amber", "Azure", "Blue", "Bronze", "Coral", "Crimson", "Cyan", "Golden",
    "Green", "Indigo", "Ivory", "Jade", "Lilac", "Lime", "Magenta", "Maroon",
    "Mint", "Navy", "Olive", "Orange", "Pearl", "Pink", "Plum", "Purple",
    "Red", "Ruby", "Rust", "Sage", "Scarlet", "Silver", "Teal", "Violet",
)  # fmt: skip
ANIMALS = (
    "Badger", "Bear", "Beaver", "Bison", "Crane", "Deer", "Dolphin", "Eagle",
    "Falcon", "Finch", "Fox", "Gecko", "Hare", "Hawk", "Heron", "Ibis",
    "Koala", "Lark", "Lemur", "Lynx", "Marten", "Moose", "Newt", "Otter",
    "Owl", "Panda", "Puffin", "Quail", "Raven", "Robin", "Seal", "Swan",
    "Tiger", "Toucan", "Turtle", "Walrus", "Whale", "Wolf", "Wren", "Yak",
)  # fmt: skip
NUMBER_RANGE = 10_000


def visitor_label(*, kind: str, subject: str) -> str:
    """Return the friendly label of visitor (or user) `subject`: colour, animal, four digits."""
    seed = f"parlor.visitor:{kind}:{subject}".encode()
    digest = int.from_bytes(hashlib.sha256(seed).digest()[:8])
    colour = COLOURS[digest % len(COLOURS)]
    digest //= len(COLOURS)
    animal = ANIMALS[digest % len(ANIMALS)]
    digest //= len(ANIMALS)
    return f"{colour} {animal} #{digest % NUMBER_RANGE:04d}"
