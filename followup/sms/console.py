import sys
import threading

from django.utils import timezone


class ConsoleBackend:
    """Writes each SMS to standard output (the Celery worker's console). For development."""

    _lock = threading.Lock()

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message) -> None:
        with self._lock:
            self.stream.write(
                f"----- SMS {timezone.localtime():%Y-%m-%d %H:%M:%S %Z} -----\n"
                f"To: {message.to}\nKey: {message.idempotency_key}\n\n{message.body}\n"
                "--------------------------------\n"
            )
            self.stream.flush()
