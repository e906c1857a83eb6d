"""Fixtures of these tests: the attachments' storage in a temporary folder."""

from parlor.attachments.tests.fixtures import clean_policies, media  # noqa: F401
