"""Chat models (tenant schema)."""
