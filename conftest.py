"""Session-wide test fixtures: two tenants created once, real database access, a real Redis."""

from __future__ import annotations

import inspect
import os
import warnings
from collections.abc import AsyncIterator, Iterator

import pytest

from parlor.testing.redis import configured_redis_url, redis_answers, start_redis_server

TENANT_ORIGINS = {
    "alpha": ["https://shop.alpha.example", "http://127.0.0.1:8001"],
    "bravo": ["https://shop.bravo.example"],
}


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """Create the test database with the public tenant and two tenants, once per session."""
    # pytest-django creates test databases only for tests marked django_db; tests using
    # live_db are not, so the test database is set up here for every session.
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tenants.services import public_tenant_ensure, tenant_create

    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
        )
        assert connection.settings_dict["NAME"].startswith("test_"), "not a test database"
        public_tenant_ensure()
        pytest.parlor_tenants = {
            # The largest plan: no existing test may meet a quota by accident.
            slug: tenant_create(
                slug=slug,
                name=slug.title(),
                domain=f"{slug}.localhost",
                allowed_origins=origins,
                plan="enterprise",
            )
            for slug, origins in TENANT_ORIGINS.items()
        }
    yield
    with django_db_blocker.unblock():
        _disconnect_other_sessions()
        try:
            teardown_databases(config, verbosity=0)
        except Exception as error:  # a server thread may still hold a connection
            warnings.warn(f"test database not dropped: {error}", stacklevel=1)


def _disconnect_other_sessions() -> None:
    # Channels' worker thread keeps its own persistent connection, which would block the DROP.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def tenant_alpha(django_db_setup):
    """The first test tenant (TenantCreated: tenant, domain and its one-time secret key)."""
    return pytest.parlor_tenants["alpha"]


@pytest.fixture
def tenant_bravo(django_db_setup):
    """The second test tenant: every isolation test needs one."""
    return pytest.parlor_tenants["bravo"]


@pytest.fixture
def live_db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Real, committed database access for async code, other threads and other processes."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A reachable Redis: REDIS_URL, the local default, or a redis-server started here."""
    url = configured_redis_url()
    if redis_answers(url):
        yield url
        return
    started = start_redis_server()
    if started is None:
        reason = f"no Redis answers at {url} and no redis-server is on PATH"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must not skip Redis tests")
        pytest.skip(reason)
    url, process = started
    yield url
    process.terminate()
    process.wait(5)


@pytest.fixture(scope="session", autouse=True)
def static_files() -> None:
    """The dashboard's hashed static files, collected as the production image collects them."""
    # Pages name their CSS by content hash (ManifestStaticFilesStorage): without the manifest
    # they cannot render, so the session builds it, for this process and the servers it starts.
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
async def hot_pool_closed() -> AsyncIterator[None]:
    """Close the test loop's hot-path pool before pytest-asyncio cancels the loop's tasks."""
    yield
    from parlor.base.pool import hot_pool_close

    await hot_pool_close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every async test `hot_pool_closed` (parlor.base.pool.hot_pool_close says why)."""
    for item in items:
        function = getattr(item, "function", None)
        if inspect.iscoroutinefunction(function) and "hot_pool_closed" not in item.fixturenames:
            item.fixturenames.insert(0, "hot_pool_closed")
