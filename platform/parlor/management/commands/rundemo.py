"""`manage.py rundemo`: migrate, ensure the demo tenant, serve the platform and the demo page."""

from __future__ import annotations

import os
import subprocess
from urllib.parse import urlsplit

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from parlor.base.conf import setting
from parlor.dashboard.services import staff_ensure
from parlor.demo.services import demo_tenant_ensure
from parlor.demo.site import demo_page, serve_demo_site
from parlor.env import REPO_ROOT
from parlor.jobs.worker import worker_command
from parlor.serving.command import server_command

# A known login for the demo tenant only (make run on a developer's machine), documented in
# the README; real tenants get their staff from `manage.py createstaff`.
DEMO_STAFF_USERNAME = "agent"
DEMO_STAFF_PASSWORD = "parlor-demo"


class Command(BaseCommand):
    """Serve Parlor on --port and a demo customer site on the demo page's port."""

    help = "Run the platform with a demo tenant and a demo customer page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **options) -> None:
        call_command("migrate_schemas", interactive=False, verbosity=0)
        demo_url = setting("DEMO_PAGE_URL")
        platform_url = f"http://{options['host']}:{options['port']}"
        tenant = demo_tenant_ensure(demo_page_url=demo_url)
        demo = urlsplit(demo_url)
        page = demo_page(
            platform_url=platform_url, publishable_key=tenant.publishable_key, origin=demo_url
        )
        serve_demo_site(host=demo.hostname or "127.0.0.1", port=demo.port or 8001, page=page)
        staff_ensure(
            tenant=tenant, username=DEMO_STAFF_USERNAME, password=DEMO_STAFF_PASSWORD, name="Dana"
        )
        dashboard = f"http://{tenant.get_primary_domain().domain}:{options['port']}/dashboard/"
        self.stdout.write(
            f"Parlor:      {platform_url}/\nDemo page:   {demo_url}/\n"
            f"Dashboard:   {dashboard} (user {DEMO_STAFF_USERNAME},"
            f" password {DEMO_STAFF_PASSWORD})\n"
        )
        # The job worker (webhook deliveries, retention) beside the app, stopped with it.
        worker = subprocess.Popen(worker_command(concurrency=2))  # noqa: S603
        try:
            serve_platform(host=options["host"], port=options["port"])
        finally:
            worker.terminate()
            worker.wait(10)


def serve_platform(*, host: str, port: int) -> None:
    """Run Parlor's server (the one production runs) until it exits or Ctrl-C stops it."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "platform")]),
    }
    # Ctrl-C reaches the server too (same process group); the demo site's thread dies with us.
    server = subprocess.Popen(server_command(host=host, port=port), env=env)  # noqa: S603
    try:
        server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait(10)
