"""Browser-test fixtures: the platform behind a cuttable proxy, customer pages on two other
origins (one allowed, one not), a tenant of their own, Chromium, and agents."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from widget.tests.support import (
    Agent,
    PageServer,
    TcpProxy,
    Widget,
    browser_missing_reason,
    chromium,
    customer_page,
    skip_or_fail,
)

WIDGET_SETTINGS = {
    "title": "Widget Test Shop",
    "color": "#7c3aed",
    "position": "right",
    "greeting": "Hello from the test shop!",
    "locale": "en",
}


@dataclass
class Stack:
    """Everything a browser test talks to."""

    server: object
    proxy: TcpProxy
    customer: PageServer
    stranger: PageServer
    tenant: object
    key: str

    @property
    def platform_url(self) -> str:
        """The platform as browsers reach it: through the proxy."""
        return self.proxy.url

    @property
    def agent_ws_url(self) -> str:
        return f"{self.server.ws_url}/ws/v1/"

    def page(self, path: str, *, site: PageServer | None = None, key: str = "", **parts) -> str:
        """Serve a customer page at `path` (on the allowed origin by default); return its URL."""
        site = site or self.customer
        site.pages[path] = customer_page(
            platform_url=self.platform_url, key=key or self.key, **parts
        )
        return site.origin + path


@pytest.fixture(scope="session")
def browser_available() -> None:
    reason = browser_missing_reason()
    if reason:
        skip_or_fail(reason)


@pytest.fixture(scope="session")
def stack(browser_available, django_db_setup, django_db_blocker, redis_url, tmp_path_factory):
    """The platform (a real server process) behind a proxy, and customer sites."""
    from parlor.testing.database import database_url_for_tests
    from parlor.testing.servers import start_server
    from tenants.services import tenant_create

    customer, stranger, proxy = PageServer(), PageServer(), TcpProxy()
    suffix = secrets.token_hex(4)
    with django_db_blocker.unblock():
        created = tenant_create(
            slug=f"widget_{suffix}",
            name="Widget Test Shop",
            domain=f"widget-{suffix}.localhost",
            allowed_origins=[customer.origin],
        )
        created.tenant.widget_settings = WIDGET_SETTINGS
        created.tenant.save(update_fields=["widget_settings"])
        database_url = database_url_for_tests()
    server = start_server(
        database_url=database_url,
        log_dir=tmp_path_factory.mktemp("widget-server"),
        redis_url=redis_url,
        extra_env={
            "PARLOR_PUBLIC_URL": proxy.url,
            "PARLOR_CHANNEL_PREFIX": f"widgettest{suffix}",
        },
    )
    proxy.target_port = server.port
    try:
        yield Stack(
            server=server,
            proxy=proxy,
            customer=customer,
            stranger=stranger,
            tenant=created.tenant,
            key=created.tenant.publishable_key,
        )
    finally:
        server.stop()
        proxy.close()
        customer.close()
        stranger.close()


@pytest.fixture
def browsers(stack, tmp_path, request) -> Iterator:
    """Start Chromium instances (each a fresh profile: a new visitor); all quit afterwards."""
    started = []

    def start(width: int = 1280, height: int = 900):
        driver = chromium(tmp_path / f"profile-{len(started)}", width=width, height=height)
        started.append(driver)
        return driver

    yield start
    failed = getattr(request.node, "rep_call", None)
    for index, driver in enumerate(started):
        if failed is not None and failed.failed:
            Widget(driver, stack.key).screenshot(f"failed-{request.node.name}-{index}")
            for entry in driver.get_log("browser"):
                print("browser:", entry.get("level"), entry.get("message"))
        driver.quit()


@pytest.fixture
def agent_for(stack, django_db_blocker) -> Iterator:
    """Connect agents of the test tenant; all disconnect afterwards."""
    from parlor.base.identity import PrincipalKind
    from tenants.tokens import token_issue

    agents = []

    def connect(name: str = "Dana") -> Agent:
        with django_db_blocker.unblock():
            issued = token_issue(
                tenant=stack.tenant,
                kind=PrincipalKind.AGENT,
                subject=f"agent-{secrets.token_hex(4)}",
                name=name,
            )
        agent = Agent(stack.agent_ws_url, issued.token)
        agents.append(agent)
        return agent

    yield connect
    for agent in agents:
        agent.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
