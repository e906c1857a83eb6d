"""Origins that tenant alpha (conftest.py) does not allow, for every test of an Origin check."""

from __future__ import annotations

# Near misses of alpha's https://shop.alpha.example (suffix, prefix, scheme, port), the
# opaque "null" of sandboxed frames, the other tenant's origin, and no Origin at all (None).
FOREIGN_ORIGINS: list[str | None] = [
    "https://shop.alpha.example.evil.io",
    "https://evilshop.alpha.example",
    "http://shop.alpha.example",
    "https://shop.alpha.example:8443",
    "null",
    "https://shop.bravo.example",
    None,
]
