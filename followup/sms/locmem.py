"""In-memory backend for tests and benchmarks: messages collect in ``outbox``."""

import threading

outbox: list = []
_lock = threading.Lock()


class LocmemBackend:
    def send(self, message) -> None:
        with _lock:
            outbox.append(message)


def clear() -> None:
    with _lock:
        outbox.clear()
