"""The production topology without Docker: what docker-compose.yml starts, from the same files.

PostgreSQL and Redis are the machine's; the one-shot migration is compose's `migrate` command;
the app processes run the Dockerfile's CMD with compose's app environment (production
settings); nginx is the system's, running deploy/nginx.conf rendered with the variables compose
gives the nginx image, over TLS with a throwaway self-signed certificate.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from parlor.env import REPO_ROOT
from parlor.testing.redis import free_port

NGINX = "nginx"
TEMPLATE_VARIABLE = re.compile(r"\$\{(PARLOR_[A-Z_]+)\}")


def nginx_missing_reason() -> str | None:
    """Return why nginx cannot run here, or None (scripts/ensure-nginx.sh installs it)."""
    if shutil.which(NGINX) is None and not Path("/usr/sbin/nginx").exists():
        return "nginx is missing (apt-get install nginx-light; `make test` does)"
    return None


def nginx_binary() -> str:
    return shutil.which(NGINX) or "/usr/sbin/nginx"


def compose_services() -> dict:
    """Return docker-compose.yml's services."""
    import yaml

    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]


def dockerfile_command() -> list[str]:
    """Return the Dockerfile's CMD as an argv."""
    for line in (REPO_ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("CMD "):
            return json.loads(line[4:])
    raise AssertionError("the Dockerfile has no CMD")


def local_argv(argv: list[str], **options: str) -> list[str]:
    """Return `argv` run by this interpreter, with each `--option value` replaced."""
    argv = [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]
    for name, value in options.items():
        argv[argv.index(f"--{name}") + 1] = value
    return argv


def render_template(text: str, values: dict[str, str]) -> str:
    """Fill ${PARLOR_*} like the nginx image's envsubst; refuse a variable with no value."""

    def value_of(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"deploy/nginx.conf needs {name}")
        return values[name]

    return TEMPLATE_VARIABLE.sub(value_of, text)


def self_signed_certificate(directory: Path, hostnames: list[str]) -> None:
    """Write fullchain.pem and privkey.pem for `hostnames` (valid one day) into `directory`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])])
    now = datetime.datetime.now(datetime.UTC)
    names = [x509.DNSName(host) for host in hostnames]
    names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@dataclass
class Process:
    """A started process whose output goes to `log_path`."""

    name: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then SIGKILL after `timeout`; return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode


def start(name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> Process:
    """Start `argv` with `env`, its output in log_dir/name.log."""
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603
            argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT
        )
    return Process(name=name, process=process, log_path=log_path)


def wait_for_url(url: str, process: Process, timeout: float = 30.0, **headers: str) -> None:
    """Wait until `url` answers 200 (any certificate), failing early if `process` exits."""
    context = ssl._create_unverified_context()  # noqa: S323 - the throwaway certificate
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.process.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.log()}")
        request = urllib.request.Request(url, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=2, context=context) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s:\n{process.log()}")


@dataclass
class Topology:
    """Two app processes behind nginx over TLS; the URLs a browser or client uses."""

    directory: Path
    platform_host: str
    tenant_host: str
    app_env: dict[str, str]
    apps: list[Process] = field(default_factory=list)
    app_ports: list[int] = field(default_factory=list)
    nginx: Process | None = None
    https_port: int = 0
    http_port: int = 0

    @property
    def public_url(self) -> str:
        return f"https://{self.platform_host}:{self.https_port}"

    @property
    def tenant_url(self) -> str:
        return f"https://{self.tenant_host}:{self.https_port}"

    def manage(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        """Run a management command with the app's environment, as `docker compose run app`."""
        return subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args], env=self.app_env, cwd=REPO_ROOT, input=stdin,
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip

    def start_app(self, index: int) -> Process:
        """Start (or restart) app process `index` with the Dockerfile's command."""
        argv = local_argv(dockerfile_command(), host="127.0.0.1", port=str(self.app_ports[index]))
        app = start(f"app{index}-{time.monotonic_ns()}", argv, self.app_env, self.directory)
        wait_for_url(f"http://127.0.0.1:{self.app_ports[index]}/readyz", app)
        if index < len(self.apps):
            self.apps[index] = app
        else:
            self.apps.append(app)
        return app

    def start_nginx(self) -> None:
        """Render deploy/nginx.conf with compose's proxy variables pointed here; start nginx."""
        certs = self.directory / "certs"
        self_signed_certificate(certs, [self.platform_host, self.tenant_host])
        compose_env = compose_services()["proxy"]["environment"]
        # compose's one server line (Docker's DNS name for every replica), once per process.
        upstream = compose_env["PARLOR_UPSTREAM"]
        assert "app:8000" in upstream
        values = {
            **compose_env,
            "PARLOR_UPSTREAM": " ".join(
                upstream.replace("app:8000", f"127.0.0.1:{port}") for port in self.app_ports
            ),
            "PARLOR_HTTP_PORT": str(self.http_port),
            "PARLOR_HTTPS_PORT": str(self.https_port),
            "PARLOR_CERT_DIR": str(certs),
        }
        site = render_template((REPO_ROOT / "deploy" / "nginx.conf").read_text(), values)
        (self.directory / "default.conf").write_text(site)
        temp = self.directory / "nginx-temp"
        temp.mkdir(exist_ok=True)
        # The main context the nginx image provides around conf.d/, with paths of our own.
        main = f"""daemon off;
worker_processes 1;
pid {self.directory}/nginx.pid;
error_log {self.directory}/nginx-error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.directory}/default.conf;
}}
"""
        (self.directory / "nginx.conf").write_text(main)
        argv = [nginx_binary(), "-p", str(self.directory),
                "-e", str(self.directory / "nginx-error.log"),
                "-c", str(self.directory / "nginx.conf")]  # fmt: skip
        self.nginx = start("nginx", argv, dict(os.environ), self.directory)
        wait_for_url(f"https://127.0.0.1:{self.https_port}/readyz", self.nginx)

    def stop(self) -> None:
        """Stop nginx and every app process."""
        if self.nginx is not None:
            self.nginx.stop()
        for app in self.apps:
            app.stop()


def topology_environment(
    *, database_url: str, redis_url: str, platform_host: str, https_port: int, extra: dict
) -> dict[str, str]:
    """Return compose's app environment with this machine's services and hosts filled in."""
    import secrets

    compose_env = {
        name: str(value) for name, value in compose_services()["app"]["environment"].items()
    }
    filled = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": platform_host,
        "PARLOR_PUBLIC_URL": f"https://{platform_host}:{https_port}",
    }
    # Only what compose interpolates from the operator's .env is replaced; the rest (settings
    # module, trusted proxy count, DEBUG) is compose's own.
    assert {name for name, value in compose_env.items() if "${" in value} <= set(filled)
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PARLOR_", "DJANGO_")) and name not in {"DEBUG", "SECRET_KEY"}
    }
    return {
        **inherited,
        **compose_env,
        **filled,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "platform")]),
        **extra,
    }


def topology_ports() -> tuple[int, int, list[int]]:
    """Return free ports for nginx (https, http) and two app processes."""
    return free_port(), free_port(), [free_port(), free_port()]
