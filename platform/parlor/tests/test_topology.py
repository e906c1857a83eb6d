"""The production topology as compose runs it, without Docker (parlor/testing/topology.py):
the one-shot migration, two app processes with the image's command and production settings,
nginx over TLS with deploy/nginx.conf. Everything below goes through nginx, as users would."""

from __future__ import annotations

import contextlib
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from parlor.testing.redis import start_redis_server
from parlor.testing.tcp_proxy import database_proxy
from parlor.testing.topology import (
    PLATFORM_HOST,
    STAFF_PASSWORD,
    UNVERIFIED,
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
def own_redis() -> Iterator[dict | None]:
    """A redis-server of the module's own, which the Redis drill stops and starts again."""
    started = start_redis_server()
    if started is None:
        yield None
        return
    url, process = started
    state = {"url": url, "process": process, "port": urlsplit(url).port}
    yield state
    state["process"].kill()
    state["process"].wait(5)


@pytest.fixture(scope="module")
def topology(django_db_setup, own_redis, request, tmp_path_factory) -> Iterator[Topology]:
    """Migrate a fresh database, create a tenant and an owner, start two apps and nginx.

    The apps reach PostgreSQL through a proxy of the test's own (the database drill cuts it)
    and Redis at a redis-server of the module's own (the Redis drill restarts it)."""
    from parlor.testing.database import database_url_for_tests
    from widget.tests.support import PageServer

    reason = nginx_missing_reason()
    if reason:
        skip_or_fail(reason)
    redis_url = own_redis["url"] if own_redis else request.getfixturevalue("redis_url")
    base_url = database_url_for_tests()
    database_url = fresh_database(base_url)
    proxy, proxied_url = database_proxy(database_url)
    shop = PageServer()
    try:
        topology = platform_start(
            directory=tmp_path_factory.mktemp("topology"),
            database_url=proxied_url,
            redis_url=redis_url,
            allowed_origin=f"http://shop.test:{shop.port}",
            extra_env={"PARLOR_METRICS_TOKEN": METRICS_TOKEN},
        )
        topology.shop = shop
        topology.database_proxy = proxy
        topology.own_redis = own_redis
        yield topology
        topology.stop()
    finally:
        shop.close()
        proxy.stop()
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
    # Client names "r0".."r5": their messages are roll-r0-1, ... (the drills below use others).
    url = f"wss://127.0.0.1:{topology.https_port}/ws/v1/"
    report = load_report()
    restarted = threading.Event()

    async def load() -> None:
        stop = asyncio.Event()
        senders = [
            asyncio.create_task(steady_sender(url, token, f"r{index}", stop, report))
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

    stored = stored_client_ids(topology, prefix="roll-r")
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


# Fault drills through nginx: what an operator sees at the proxy when Redis restarts, an app
# process is SIGKILLed or PostgreSQL refuses connections. (The same drills against one server
# directly: chat/tests/test_fault_drills.py and health/tests/test_database_outage.py.)


def readyz(topology: Topology) -> tuple[int, dict]:
    """GET /readyz through nginx; return the status and the JSON body."""
    response = https(topology, "/readyz")
    return response.status, json.loads(response.read())


async def until_readyz(topology: Topology, status: int, timeout: float = 20.0) -> dict:
    """Poll /readyz through nginx until it answers `status`; return that answer's body."""
    import asyncio

    last = None
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            while True:
                last = await asyncio.to_thread(readyz, topology)
                if last[0] == status:
                    return last[1]
                await asyncio.sleep(0.05)
    raise AssertionError(f"/readyz never answered {status} within {timeout} s; last {last}")


async def open_socket(topology: Topology, token: str):
    """A client socket through nginx over TLS (no Origin: a server-side client)."""
    from parlor.testing.sockets import LiveSocket

    return await LiveSocket.open(
        f"wss://127.0.0.1:{topology.https_port}", token, origin=None, ssl=UNVERIFIED
    )


async def until_body(socket, body: str, timeout: float = 20.0) -> dict:
    """Return the first `message` frame carrying `body`, skipping everything else."""
    import asyncio

    async with asyncio.timeout(timeout):
        while True:
            frame = await socket.expect("message", timeout)
            if frame["body"] == body:
                return frame


async def until_answered(socket, frame: dict, kind: str, attempts: int = 25) -> tuple[dict, int]:
    """Send `frame` until it is answered `kind`, retrying on `internal`; return the answer and
    how many attempts were answered `internal`."""
    for attempt in range(attempts):
        request_id = f"{frame['type']}-{attempt}"
        await socket.send(**frame, id=request_id)
        answer = await socket.next()
        while answer.get("re") != request_id:
            answer = await socket.next()
        if answer["type"] == kind:
            return answer, attempt
        assert (answer["type"], answer["code"]) == ("error", "internal"), answer
    raise AssertionError(f"{frame['type']} failed {attempts} times")


async def test_redis_restarted_behind_nginx_readiness_and_delivery_come_back(topology):
    own_redis = topology.own_redis
    if own_redis is None:
        skip_or_fail("no redis-server on PATH: the Redis drill needs one of its own")
    visitor = await open_socket(topology, issue_token(topology, "redis-visitor"))
    agent = await open_socket(topology, issue_token(topology, "redis-agent", kind="agent"))
    try:
        room = visitor.hello["conversation"]
        await visitor.join(room)
        await visitor.send(type="send", room=room, body="before", client_msg_id="redis-0")
        await visitor.expect("ack")
        await agent.join(room)

        own_redis["process"].kill()
        own_redis["process"].wait(5)
        down = time.monotonic()
        body = await until_readyz(topology, 503)
        assert body["failures"] == {"channel_layer": "unreachable"}, body
        seen_down = time.monotonic() - down
        # A message sent meanwhile is stored and acknowledged.
        await visitor.send(type="send", room=room, body="while down", client_msg_id="redis-1")
        assert (await visitor.expect("ack"))["client_msg_id"] == "redis-1"

        restarted = start_redis_server(port=own_redis["port"])
        assert restarted is not None, "redis-server did not start again on its port"
        own_redis["process"] = restarted[1]
        back = time.monotonic()
        await until_body(agent, "while down")  # delivered once the layer is back, unasked
        delivered = time.monotonic() - back
        await until_readyz(topology, 200)
        ready = time.monotonic() - back
        await visitor.send(type="send", room=room, body="after", client_msg_id="redis-2")
        await until_body(agent, "after")
        await agent.send(type="send", room=room, body="reply", client_msg_id="redis-3")
        await until_body(visitor, "reply")
    finally:
        await visitor.close()
        await agent.close()
    print(
        f"redis drill via nginx: /readyz 503 {seen_down:.2f} s after the kill; after the"
        f" restart the message sent meanwhile arrived in {delivered:.2f} s, /readyz 200 in"
        f" {ready:.2f} s"
    )


def test_a_sigkilled_app_process_its_clients_come_back_through_nginx_and_lose_nothing(topology):
    import asyncio

    from widget.tests.support import wait_until

    tokens = [issue_token(topology, f"killed-{index}") for index in range(CLIENTS)]
    url = f"wss://127.0.0.1:{topology.https_port}/ws/v1/"
    report = load_report()
    measured: dict[str, float] = {}

    def sent_by_everyone(since: set[str]) -> bool:
        fresh = set(stored_client_ids(topology, prefix="roll-k")) - since
        return all(any(i.startswith(f"roll-k{n}-") for i in fresh) for n in range(CLIENTS))

    def kill_and_restart() -> None:
        wait_until(lambda: sent_by_everyone(set()), "every client sends", 20)
        victim = topology.apps[0]
        victim.process.kill()  # SIGKILL: no close frames, sends in flight
        victim.process.wait(5)
        killed = time.monotonic()
        at_kill = set(stored_client_ids(topology, prefix="roll-k"))
        # With the victim still dead, every client is sending again: through the other process.
        wait_until(lambda: sent_by_everyone(at_kill), "every client sends after the kill", 30)
        measured["resumed"] = time.monotonic() - killed
        measured["exit"] = victim.process.returncode
        topology.start_app(0)  # the two-process topology again, for whatever runs next

    async def load() -> None:
        stop = asyncio.Event()
        senders = [
            asyncio.create_task(steady_sender(url, token, f"k{index}", stop, report))
            for index, token in enumerate(tokens)
        ]
        try:
            await asyncio.to_thread(kill_and_restart)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*senders), 60)

    asyncio.run(load())
    stored = stored_client_ids(topology, prefix="roll-k")
    acked = set(report["acked"])
    print(
        f"kill drill via nginx: every client sending again {measured['resumed']:.2f} s after"
        f" SIGKILL; {len(acked)} acked, {len(stored)} stored, {report['connects']} connects,"
        f" close codes {report['close_codes']}, failed connects {report['errors']}"
    )
    assert measured["exit"] == -9
    assert report["close_codes"], "no client was on the killed process"
    assert len(stored) == len(set(stored)), "a message was stored twice"
    assert acked == set(stored), acked ^ set(stored)


async def test_postgresql_refusing_connections_behind_nginx_readyz_503_then_200(topology):
    import asyncio

    proxy = topology.database_proxy
    await until_readyz(topology, 200)
    proxy.cut()  # PostgreSQL refuses: every pooled connection dropped, every new one refused
    cut = time.monotonic()
    try:
        body = await until_readyz(topology, 503)
        assert body["failures"] == {"database": "unreachable"}, body
        seen_down = time.monotonic() - cut
        assert (await asyncio.to_thread(https, topology, "/healthz")).status == 200
    finally:
        proxy.restore()
    back = time.monotonic()
    await until_readyz(topology, 200)
    ready = time.monotonic() - back
    # And the platform serves again: a token issued, a socket opened, a message stored. The
    # hot path's pooled connections died with the cut; each one fails the call that finds it
    # (answered `internal`, nothing stored) and is discarded, so a client retries as the
    # widget's outbox does.
    socket = await open_socket(topology, issue_token(topology, "database-visitor"))
    try:
        room = socket.hello["conversation"]
        _, failed_joins = await until_answered(socket, {"type": "join", "room": room}, "joined")
        send = {"type": "send", "room": room, "body": "after", "client_msg_id": "roll-db-1"}
        ack, failed_sends = await until_answered(socket, send, "ack")
        assert ack["client_msg_id"] == "roll-db-1"
    finally:
        await socket.close()
    assert stored_client_ids(topology, prefix="roll-db") == ["roll-db-1"]
    print(
        f"database drill via nginx: /readyz 503 {seen_down:.2f} s after PostgreSQL refused,"
        f" 200 {ready:.2f} s after it accepted again; then {failed_joins} join(s) and"
        f" {failed_sends} send(s) answered `internal` (dead pooled connections) before the retry"
        " that succeeded"
    )
