"""A real SMTP server for the email tests (aiosmtpd on a free port), and how to read what
it received. The `smtp` fixture (tests/billing/conftest.py) starts one per test."""

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class Keeper:
    """An aiosmtpd handler keeping what it receives, answering each message `answer`."""

    def __init__(self):
        self.answer = "250 OK"
        self.envelopes = []
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.received.set()
        return self.answer


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def received(keeper) -> tuple[EmailMessage, list[str], bytes]:
    """The one message the server got: parsed, its envelope recipients, its raw bytes."""
    assert keeper.received.wait(5)
    (envelope,) = keeper.envelopes
    raw = envelope.original_content or envelope.content
    return message_from_bytes(raw, policy=policy.default), envelope.rcpt_tos, raw


def header_addresses(message, name):
    return [address for _, address in getaddresses(message.get_all(name, []))]
