"""Follow-up mail through Django's SMTP backend to a real SMTP server on a local port, and a
refused connection failing the job (procrastinate then retries it)."""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from parlor.followup import tasks
from parlor.followup.tasks import followup_sweep
from parlor.followup.tests.support import (
    agent_reply,
    contact_leave,
    followup_jobs_run,
    say,
    visitor_start,
)
from parlor.testing.redis import free_port

pytestmark = pytest.mark.usefixtures("clean_followup")
ALPHA = "https://shop.alpha.example"


class SmtpSink(socketserver.ThreadingTCPServer):
    """A minimal SMTP server (RFC 5321 without extensions) keeping every message it accepts."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        super().__init__(("127.0.0.1", 0), SmtpSession)


class SmtpSession(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                sender, recipients = command.partition(":")[2].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.partition(":")[2].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with .")
                self.server.messages.append((sender, recipients, self.data()))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")

    def data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


@pytest.fixture
def smtp_sink():
    server = SmtpSink()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def smtp_settings(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = None
    settings.EMAIL_TIMEOUT = 5


def unread_reply(tenant_alpha, text: str) -> None:
    client = Client()
    visitor = visitor_start(client, tenant_alpha, ALPHA)
    say(visitor, "hello")
    contact_leave(client, visitor, "smtp@example.com")
    agent_reply(visitor, text)
    followup_sweep(tenant=tenant_alpha.tenant, now=timezone.now() + timedelta(minutes=11))


def test_the_email_goes_through_a_real_smtp_server(settings, smtp_sink, tenant_alpha):
    smtp_settings(settings, smtp_sink.server_address[1])
    unread_reply(tenant_alpha, "Over SMTP <i>with</i> markup")
    assert followup_jobs_run() == 1
    [(_sender, recipients, raw)] = smtp_sink.messages
    assert recipients == ["<smtp@example.com>"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Reply-To"].startswith("reply+")
    assert message["List-Unsubscribe"].strip().startswith("<http")
    assert "Over SMTP <i>with</i> markup" in message.get_body(("plain",)).get_content()
    assert "&lt;i&gt;with&lt;/i&gt;" in message.get_body(("html",)).get_content()


def test_a_refused_connection_fails_the_job_so_it_is_retried(settings, tenant_alpha):
    smtp_settings(settings, free_port())  # nothing listens there
    unread_reply(tenant_alpha, "will be retried")
    with pytest.raises(OSError):
        followup_jobs_run()
    assert tasks.followup_email_send.retry_strategy.max_attempts >= 5
