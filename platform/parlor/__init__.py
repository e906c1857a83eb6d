"""Parlor: a multi-tenant hosted chat-widget platform."""
