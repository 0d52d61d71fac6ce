"""A real SMTP server for tests (aiosmtpd on a free port): reminders are sent over a real
SMTP conversation, and the test reads what arrived."""

import asyncio
import socket
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller

WAIT = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Collects every message accepted. `refuse_next` makes the next N DATA commands fail
    with `refuse_with`; `hold` makes DATA wait until `release()` (a send in progress)."""

    def __init__(self):
        self.messages: list[Message] = []
        self.data_at: list[float] = []  # time.monotonic() of every DATA, accepted or not
        self.refuse_next = 0
        self.refuse_with = "451 4.3.0 Try again later"
        self.data_started = threading.Event()
        self._hold = False
        self._released = threading.Event()
        self._lock = threading.Lock()

    def hold(self) -> None:
        self._hold = True
        self._released.clear()
        self.data_started.clear()

    def release(self) -> None:
        self._hold = False
        self._released.set()

    async def handle_DATA(self, server, session, envelope):
        self.data_at.append(time.monotonic())
        self.data_started.set()
        if self._hold:
            # The sender is mid-send: the test kills it now; the message is never accepted.
            await asyncio.get_running_loop().run_in_executor(None, self._released.wait, WAIT)
            return "451 4.3.0 Interrupted"
        with self._lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return self.refuse_with
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]

    def wait_for(self, count: int, timeout: float = WAIT) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} e-mails within {timeout}s, got {len(self.messages)}")
            time.sleep(0.05)
        return list(self.messages)


@contextmanager
def smtp_server():
    """Yields (sink, port)."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        sink.release()
        controller.stop()
