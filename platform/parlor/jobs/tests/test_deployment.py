"""The job worker in docker-compose.yml: its own service, production settings, a healthcheck."""

from __future__ import annotations

import yaml

from parlor.env import REPO_ROOT


def test_the_worker_is_a_service_of_its_own_on_the_apps_settings():
    services = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]
    worker = services["worker"]
    assert worker["command"] == ["python", "manage.py", "jobsworker"]
    assert worker["environment"] == services["app"]["environment"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "test" in worker["healthcheck"]
    assert worker["restart"] == "unless-stopped"
