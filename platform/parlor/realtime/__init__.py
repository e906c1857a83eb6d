"""The WebSocket stack: authentication middleware, routing and protocol."""
