"""Serves the embeddable widget: /widget.js (short cache) and content-hashed bundles (immutable)."""
