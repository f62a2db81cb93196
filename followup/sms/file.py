import json
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone


class FileBackend:
    """Writes each SMS as one JSON file into ``SMS_FILE_PATH``. Works across processes."""

    def __init__(self, path: str | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)
        self.path.mkdir(parents=True, exist_ok=True)

    def send(self, message) -> None:
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex}.json"
        payload = {
            "to": message.to,
            "body": message.body,
            "idempotency_key": message.idempotency_key,
            "sent_at": timezone.now().isoformat(),
        }
        tmp = self.path / f".{name}.tmp"
        tmp.write_text(json.dumps(payload, ensure_ascii=False))
        tmp.rename(self.path / name)
