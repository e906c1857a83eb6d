"""The platform operator's console at /operator/ on the platform's own host (issue 16, item 4)."""
