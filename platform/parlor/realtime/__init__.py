"""The WebSocket transport: authentication middleware, socket auth and the protocol's names."""
