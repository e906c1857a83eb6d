"""The production topology as compose runs it, without Docker (parlor/testing/topology.py):
the one-shot migration, two app processes with the image's command and production settings,
nginx over TLS with deploy/nginx.conf. Everything below goes through nginx, as users would."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from parlor.testing.topology import (
    PLATFORM_HOST,
    STAFF_PASSWORD,
    Topology,
    drop_database,
    fresh_database,
    https_request,
    load_report,
    nginx_missing_reason,
    platform_start,
    steady_sender,
    stored_client_ids,
    token_issue,
)

pytestmark = [pytest.mark.topology, pytest.mark.redis]

METRICS_TOKEN = "topology-metrics-token"


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must not skip the topology test")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def topology(django_db_setup, redis_url, tmp_path_factory) -> Iterator[Topology]:
    """Migrate a fresh database, create a tenant and an owner, start two apps and nginx."""
    from parlor.testing.database import database_url_for_tests
    from widget.tests.support import PageServer

    reason = nginx_missing_reason()
    if reason:
        skip_or_fail(reason)
    base_url = database_url_for_tests()
    database_url = fresh_database(base_url)
    shop = PageServer()
    try:
        topology = platform_start(
            directory=tmp_path_factory.mktemp("topology"),
            database_url=database_url,
            redis_url=redis_url,
            allowed_origin=f"http://shop.test:{shop.port}",
            extra_env={"PARLOR_METRICS_TOKEN": METRICS_TOKEN},
        )
        topology.shop = shop
        yield topology
        topology.stop()
    finally:
        shop.close()
        drop_database(database_url, base_url)


def https(topology: Topology, path: str, **options):
    return https_request(topology, path, **options)


def issue_token(topology: Topology, user_id: str, kind: str = "user") -> str:
    return token_issue(topology, user_id, kind)


def test_readyz_answers_through_nginx_over_tls(topology):
    response = https(topology, "/readyz")
    assert response.status == 200
    assert json.loads(response.read()) == {"status": "ready"}
    # Any Host: a load balancer probing by address is answered too.
    assert https(topology, "/healthz", host="10.1.2.3").status == 200


def test_a_host_no_tenant_owns_is_refused_with_one_log_line(topology):
    marker = f"nobody-{time.monotonic_ns()}.example"
    response = https(topology, "/dashboard/login", host=marker)
    assert response.status == 400
    lines = [line for app in topology.apps for line in app.log().splitlines() if marker in line]
    assert len(lines) == 1, lines
    record = json.loads(lines[0])
    assert record["level"] == "WARNING" and "tenant domain" in record["message"]


def test_a_message_crosses_between_the_two_app_processes(topology):
    from widget.tests.support import Agent

    agent_token = issue_token(topology, "agent-1", kind="agent")
    visitor_token = issue_token(topology, "visitor-1")
    # One client on each process (nginx alone would pick either for either).
    first = Agent(f"ws://127.0.0.1:{topology.app_ports[0]}/ws/v1/", agent_token)
    second = Agent(f"ws://127.0.0.1:{topology.app_ports[1]}/ws/v1/", visitor_token)
    try:
        room = second.hello["conversation"]
        second.join(room)
        second.say(room, "hello from the second process")  # creates the conversation
        first.join(room)
        first.say(room, "crossing over")
        frame = second.wait_for(
            lambda f: f["type"] == "message" and f.get("body") == "crossing over"
        )
        assert frame["room"] == room
    finally:
        first.close()
        second.close()


def chromium(profile):
    """Headless Chromium that resolves *.test to this machine and accepts the test certificate."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from widget.tests.support import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    flags = ["--ignore-certificate-errors", "--host-resolver-rules=MAP *.test 127.0.0.1"]
    for flag in [*CHROMIUM_FLAGS, *flags, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_script_timeout(20)
    return driver


def test_the_widget_on_a_customer_page_and_an_agent_replying_from_the_dashboard(topology, tmp_path):
    from selenium.webdriver.common.keys import Keys

    from widget.tests.support import (
        Widget,
        browser_missing_reason,
        customer_page,
        start_conversation,
        wait_until,
    )

    reason = browser_missing_reason()
    if reason:
        skip_or_fail(reason)
    key = topology.tenant["publishable_key"]
    topology.shop.pages["/"] = customer_page(platform_url=topology.public_url, key=key)
    visitor_driver, agent_driver = chromium(tmp_path / "visitor"), chromium(tmp_path / "agent")
    try:
        visitor_driver.get(f"http://shop.test:{topology.shop.port}/")
        visitor = Widget(visitor_driver, key)
        visitor.open()
        visitor.connected()
        room = start_conversation(visitor, "Hello through nginx")

        # The dashboard over https on the tenant's domain: the login POST passes the CSRF
        # origin check and the Secure session cookie is kept.
        base = f"{topology.tenant_url}/dashboard"
        agent_driver.get(f"{base}/login")
        agent_driver.find_element("name", "username").send_keys("dana")
        agent_driver.find_element("name", "password").send_keys(STAFF_PASSWORD, Keys.ENTER)
        wait_until(lambda: "/login" not in agent_driver.current_url, "dana logs in")
        agent_driver.get(f"{base}/conversations/{room}")
        status = "return (document.getElementById('live-status') || {}).textContent;"
        wait_until(lambda: agent_driver.execute_script(status) == "Live", "live transcript", 20)
        agent_driver.find_element("name", "body").send_keys("Happy to help!", Keys.ENTER)
        visitor.wait(
            lambda s: s["messages"][-1]["body"] == "Happy to help!", "the visitor sees the reply"
        )
    finally:
        visitor_driver.quit()
        agent_driver.quit()


def scrape(topology: Topology, port: int) -> dict[str, float]:
    """Return one app process's metrics samples (name{labels} -> value)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/metrics",
        headers={"Host": PLATFORM_HOST, "Authorization": f"Bearer {METRICS_TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def test_each_process_reports_the_traffic_it_served(topology):
    from parlor.observability import metrics

    # Runs after the message crossed between the processes (tests run in file order).
    totals: dict[str, float] = {}
    for port in topology.app_ports:
        for name, value in scrape(topology, port).items():
            totals[name] = totals.get(name, 0) + value
    assert totals['parlor_handshakes_total{outcome="accepted"}'] >= 2
    assert totals['parlor_frames_in_total{type="send"}'] >= 2
    assert totals['parlor_frames_out_total{type="ack"}'] >= 2
    assert totals["parlor_messages_stored_total"] >= 2
    assert totals["parlor_ack_latency_seconds_count"] >= 2
    assert totals["parlor_fanout_delay_seconds_count"] >= 1
    assert 'parlor_job_queue_depth{queue="webhooks"}' in totals
    exported = {family.name for family in metrics.REGISTRY.collect()}
    assert all(name.startswith("parlor_") for name in exported)
    # The token is required: without it, nothing.
    bare = https(topology, "/metrics")
    assert bare.status == 401


# Rolling restart under load: SIGTERM closes sockets with 1012, clients come back through nginx
# (to the other process) and resend what was not acknowledged; nothing is lost or doubled.

CLIENTS = 6


def test_a_rolling_restart_under_load_loses_and_doubles_nothing(topology):
    import asyncio
    import threading

    tokens = [issue_token(topology, f"roller-{index}") for index in range(CLIENTS)]
    url = f"wss://127.0.0.1:{topology.https_port}/ws/v1/"
    report = load_report()
    restarted = threading.Event()

    async def load() -> None:
        stop = asyncio.Event()
        senders = [
            asyncio.create_task(steady_sender(url, token, str(index), stop, report))
            for index, token in enumerate(tokens)
        ]
        while not restarted.is_set():
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # a last second of traffic on the restarted pair
        stop.set()
        await asyncio.wait_for(asyncio.gather(*senders), 60)

    exits = []

    def roll() -> None:
        try:
            time.sleep(1.0)  # load first
            for index in range(len(topology.apps)):
                exits.append(topology.apps[index].stop(timeout=20))
                topology.start_app(index)
        finally:
            restarted.set()

    roller = threading.Thread(target=roll)
    roller.start()
    asyncio.run(load())
    roller.join()
    # uvicorn finishes its graceful shutdown, then exits by the signal it got (-SIGTERM).
    assert exits == [-15, -15], exits

    stored = stored_client_ids(topology)
    acked = set(report["acked"])
    print(
        f"rolling restart: {len(acked)} acked, {len(stored)} stored, "
        f"{report['connects']} connects, close codes {sorted(set(report['close_codes']))}, "
        f"failed connects {report['errors']}"
    )
    assert 1012 in report["close_codes"], report["close_codes"]
    assert len(stored) == len(set(stored)), "a message was stored twice"
    assert acked == set(stored), acked ^ set(stored)
    assert len(acked) > CLIENTS * 10
