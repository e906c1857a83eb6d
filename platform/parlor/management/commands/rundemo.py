"""`manage.py rundemo`: migrate, ensure the demo tenant, serve the platform and the demo page."""

from __future__ import annotations

from urllib.parse import urlsplit

from daphne.cli import CommandLineInterface
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from parlor.base.conf import setting
from parlor.dashboard.services import staff_ensure
from parlor.demo.services import demo_tenant_ensure
from parlor.demo.site import demo_page, serve_demo_site

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
        # In-process, so that Ctrl-C stops the platform and the demo site together.
        CommandLineInterface().run(
            ["-b", options["host"], "-p", str(options["port"]), "parlor.asgi:application"]
        )
