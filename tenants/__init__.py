"""Tenancy: tenants, their domains, keys and tokens (public schema)."""
