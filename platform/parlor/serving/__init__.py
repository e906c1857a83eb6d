"""The one place that starts Parlor's ASGI server: its command line, protocol guards and limits."""
