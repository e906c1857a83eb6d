"""Test support shared by every package's tests: tenants, Redis, live server processes."""
