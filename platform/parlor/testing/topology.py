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
from typing import Any
from urllib.parse import urlsplit

from parlor.env import REPO_ROOT
from parlor.testing.redis import free_port

NGINX = "nginx"
PLATFORM_HOST = "parlor.test"
TENANT_HOST = "chat.acme.test"
STAFF_PASSWORD = "correct-horse-battery-staple"
UNVERIFIED = ssl._create_unverified_context()  # noqa: S323 - the throwaway certificate
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
    context = UNVERIFIED
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
    tenant: dict = field(default_factory=dict)

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


def fresh_database(base_url: str, suffix: str = "_topology") -> str:
    """Create an empty database next to `base_url`'s; return its URL."""
    import psycopg

    parts = urlsplit(base_url)
    name = parts.path.lstrip("/") + suffix
    drop_database(parts._replace(path=f"/{name}").geturl(), base_url)
    with psycopg.connect(_maintenance_url(base_url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def drop_database(url: str, base_url: str) -> None:
    """Drop the database `url` names, ending its sessions first."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_maintenance_url(base_url), autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _maintenance_url(base_url: str) -> str:
    # CREATE and DROP DATABASE from PostgreSQL's own database: `base_url`'s may not exist.
    return urlsplit(base_url)._replace(path="/postgres").geturl()


def platform_start(
    *, directory: Path, database_url: str, redis_url: str, allowed_origin: str, extra_env: dict
) -> Topology:
    """Migrate, create tenant acme and its owner dana, start two apps and nginx (as compose)."""
    https_port, http_port, app_ports = topology_ports()
    topology = Topology(
        directory=directory,
        platform_host=PLATFORM_HOST,
        tenant_host=TENANT_HOST,
        app_env=topology_environment(
            database_url=database_url, redis_url=redis_url, platform_host=PLATFORM_HOST,
            https_port=https_port,
            extra={"PARLOR_CHANNEL_PREFIX": f"topology{https_port}", **extra_env},
        ),
        app_ports=app_ports, https_port=https_port, http_port=http_port,
    )  # fmt: skip
    try:
        # compose's one-shot `migrate`, then the first tenant as docs/operations.md says.
        migrate = compose_services()["migrate"]["command"]
        topology.manage(*local_argv(migrate)[2:])
        created = topology.manage(
            "createtenant", "acme", "--name", "Acme", "--domain", TENANT_HOST,
            "--allowed-origin", allowed_origin, "--json",
        )  # fmt: skip
        topology.tenant = json.loads(created.stdout)
        topology.manage(
            "createstaff", "acme", "--username", "dana", "--name", "Dana", "--password-stdin",
            stdin=STAFF_PASSWORD + "\n",
        )  # fmt: skip
        topology.start_app(0)
        topology.start_app(1)
        topology.start_nginx()
    except BaseException:
        topology.stop()
        raise
    return topology


def https_request(topology: Topology, path: str, *, host: str = PLATFORM_HOST, **options: Any):
    """Request `path` through nginx's TLS port with `host` as the Host; return the response."""
    headers = {"Host": host, **options.pop("headers", {})}
    request = urllib.request.Request(  # noqa: S310 - an https URL built here
        f"https://127.0.0.1:{topology.https_port}{path}", headers=headers, **options
    )
    try:
        return urllib.request.urlopen(request, timeout=10, context=UNVERIFIED)  # noqa: S310
    except urllib.error.HTTPError as error:
        return error


def token_issue(topology: Topology, user_id: str, kind: str = "user") -> str:
    """Issue a token through nginx with the tenant's secret key."""
    body = json.dumps({"user_id": user_id, "name": user_id.title(), "kind": kind}).encode()
    response = https_request(
        topology, "/api/v1/tokens", method="POST", data=body,
        headers={"Authorization": f"Bearer {topology.tenant['secret_key']}",
                 "Content-Type": "application/json"},
    )  # fmt: skip
    if response.status != 201:
        raise RuntimeError(f"token refused: {response.status} {response.read()!r}")
    return json.loads(response.read())["token"]


def load_report() -> dict:
    """Return an empty report for `steady_sender`s to fill."""
    return {"acked": {}, "close_codes": [], "errors": [], "connects": 0}


async def steady_sender(
    url: str, token: str, name: str, stop: Any, report: dict, interval: float = 0.02
) -> None:
    """Send one message at a time until `stop` is set, reconnecting with jitter; record acks."""
    import asyncio
    import random

    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    acked: dict[str, int] = {}
    pending: str | None = None
    counter = 0
    while True:
        try:
            async with connect(
                url, subprotocols=["parlor.v1", f"parlor.token.{token}"], ssl=UNVERIFIED,
                open_timeout=5,
            ) as socket:  # fmt: skip
                report["connects"] += 1
                room = json.loads(await socket.recv())["conversation"]
                await socket.send(json.dumps({"type": "join", "room": room, "id": "j"}))
                while True:
                    if pending is None and not stop.is_set():
                        counter += 1
                        pending = f"roll-{name}-{counter}"
                    if pending is None:
                        report["acked"].update(acked)
                        return
                    frame = {"type": "send", "room": room, "body": pending, "id": pending,
                             "client_msg_id": pending}  # fmt: skip
                    await socket.send(json.dumps(frame))
                    while True:
                        answer = json.loads(await asyncio.wait_for(socket.recv(), 10))
                        if answer.get("re") == pending:
                            break
                    if answer["type"] == "ack":
                        acked[pending] = answer["seq"]
                        pending = None
                    await asyncio.sleep(interval)
        except ConnectionClosed as closed:
            report["close_codes"].append(closed.rcvd.code if closed.rcvd else None)
        except InvalidStatus as refused:
            # nginx answers 502 when no upstream takes the handshake: retried, as the widget does.
            report["errors"].append(refused.response.status_code)
        except (OSError, TimeoutError) as error:
            report["errors"].append(type(error).__name__)
        # Full jitter, as the widget does (widget/src/backoff.js).
        await asyncio.sleep(random.uniform(0.05, 0.5))  # noqa: S311 - jitter, not a secret


def stored_client_ids(topology: Topology, prefix: str = "roll-") -> list[str]:
    """Return the client_msg_id of every stored message whose id starts with `prefix`."""
    import psycopg

    schema = topology.tenant["schema"]
    with psycopg.connect(topology.app_env["DATABASE_URL"]) as connection:
        rows = connection.execute(
            # The schema is the tenant's own name, from createtenant's output.
            f'SELECT client_msg_id FROM "{schema}".chat_message'  # noqa: S608
            " WHERE client_msg_id LIKE %s",
            [prefix + "%"],
        )
        return [row[0] for row in rows]
