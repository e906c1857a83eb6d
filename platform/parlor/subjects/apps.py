"""The subjects app (tenant schema)."""

from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    """Data subjects' export and erasure, the erasure log and the retention setting."""

    name = "parlor.subjects"
    label = "subjects"
