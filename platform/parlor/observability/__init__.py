"""What an operator sees of a running Parlor: Prometheus metrics and structured logs.

Like `parlor.base`, it imports nothing else of Parlor's, so every layer may report through it.
"""
