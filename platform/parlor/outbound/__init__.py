"""Requests Parlor makes to URLs its tenants give it (webhooks), made safe against SSRF."""
