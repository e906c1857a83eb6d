"""Real-time chat: rooms, messages and the WebSocket consumer (tenant schemas)."""
