"""Parlor's base layer: errors, settings access, identity, group names and async DB access.

It imports nothing else of Parlor's; `tenants` and every feature package build on it
(the import-linter contracts in pyproject.toml hold this).
"""
