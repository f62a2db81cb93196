"""The reminder outbox against a REAL Celery worker process (prefork, two children).

Everything else in the suite runs tasks in-process; this test proves the cross-process
guarantee: a due thank-you SMS is sent exactly once even when two dispatchers run at the
same time (a third dispatcher joins the race from the test process itself).

Isolation from a developer's ``make run`` worker: the worker started here consumes only a
queue with a unique name (``CELERY_QUEUE``), and its own ``send_reminder.delay()`` calls go
to that queue too, since it is the worker's default queue. That is enough on both brokers:
Redis keeps one list per queue, and the embedded filesystem transport
(kombu/transport/filesystem.py) writes one file per message named
``<ms>_<uuid>.<queue>.msg`` and a consumer only takes files whose name ends with
``.<its queue>.msg``. So the test keeps the broker folder of the settings
(var/celery-broker, shared with ``make run``) and does not have to repoint the test
process's producer; it removes what is left of its queue afterwards.

The data must be committed for the worker to see it, hence ``transactional_db``; the
worker opens the very test database (the SQLite test file, or the PostgreSQL test
database). ``django_db_serialized_rollback`` restores the roles (groups) created by a
data migration, which a transactional test flushes, whatever ran before.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit
from uuid import uuid4

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from dealership.celery import app as celery_app
from followup import services
from followup.models import Reminder
from followup.tasks import dispatch_due_reminders
from leads.models import TimelineEvent
from showroom.services import visit_close, visit_create

pytestmark = pytest.mark.celery_worker

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 60  # seconds for the worker to import Django and connect to the broker
SENT_TIMEOUT = 60  # seconds for the reminder to reach SENT
DUPLICATE_GRACE = 3  # seconds to keep watching for a second SMS once everything is quiet
POLL = 0.1  # seconds between looks at another process's progress (not moving a clock)

MOBILE = "+8613912345678"
DISPATCH_TASK = "followup.tasks.dispatch_due_reminders"
SEND_TASK = "followup.tasks.send_reminders"


# ------------------------------------------------------------------ worker process


def _worker_database_env() -> dict[str, str]:
    """Point the worker at the test database this process is using right now."""
    test_db = connection.settings_dict["NAME"]
    if "sqlite" in django_settings.DATABASES["default"]["ENGINE"]:
        # A file (settings: DATABASES TEST NAME), not :memory:, so another process can open it.
        return {"SQLITE_PATH": str(test_db)}
    # PostgreSQL: the same URL (user, password, host, port, options) with the test database.
    url = urlsplit(django_settings.DATABASE_URL)
    return {"DATABASE_URL": url._replace(path="/" + quote(test_db)).geturl()}


class Worker:
    """``celery worker`` as a subprocess whose output is collected by a reader thread."""

    def __init__(self, *, queue: str, sms_dir: Path):
        self.queue = queue
        # A node name of its own: no clash with a developer's worker on this machine
        # (with the same name the two would share one remote-control queue).
        self.nodename = f"{queue}@{socket.gethostname()}"
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.pop("DATABASE_URL_FILE", None)
        env.update(_worker_database_env())
        env.update(
            DJANGO_SETTINGS_MODULE="dealership.settings",
            CELERY_QUEUE=queue,
            CELERY_TASK_ALWAYS_EAGER="false",
            SMS_BACKEND="followup.sms.file.FileBackend",
            SMS_FILE_PATH=str(sms_dir),
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        # REDIS_URL / CELERY_BROKER_URL / CELERY_BROKER_DIR are inherited: same broker as ours.
        self.command = [
            sys.executable, "-m", "celery", "-A", "dealership", "worker",
            "--concurrency=2", "--pool=prefork", "--without-mingle", "--without-gossip",
            "-l", "info", "-n", self.nodename,
        ]
        self.env = env
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 — fixed command, our own interpreter
            self.command,
            cwd=REPO_ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,  # its own process group, so the children can be killed too
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def count(self, pattern: str) -> int:
        regex = re.compile(pattern)
        with self._lock:
            return sum(1 for line in self.lines if regex.search(line))

    def wait_until(self, condition, *, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.proc.poll() is not None:
                pytest.fail(f"The Celery worker exited ({self.proc.returncode}) while waiting "
                            f"for {what}.\n{self.report()}")
            if time.monotonic() > deadline:
                pytest.fail(f"Timed out after {timeout}s waiting for {what}.\n{self.report()}")
            time.sleep(POLL)

    def wait_ready(self) -> None:
        self.wait_until(lambda: self.count(r"@\S+ ready\.") > 0, timeout=READY_TIMEOUT,
                        what="the worker to be ready")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # warm shutdown: finish running tasks
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._reader.join(timeout=5)

    def report(self) -> str:
        return f"--- celery worker output ({' '.join(self.command)}) ---\n{self.output}\n--- end ---"


def _forget_queue(worker: Worker) -> None:
    """Remove what the stopped worker leaves in the shared broker: unconsumed messages and
    the bindings of its task queue and of its remote-control (pidbox) queue, which would
    otherwise stay for ever (kombu's ``Channel._delete(queue, exchange, routing_key,
    pattern)`` purges and unbinds, on both transports)."""
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        channel._delete(worker.queue, worker.queue, worker.queue, "")  # direct exchange = queue
        channel._delete(f"{worker.nodename}.celery.pidbox", "celery.pidbox", "", "")
        if conn.transport.driver_type == "filesystem":
            # The now empty routing table of the test queue's exchange is ours to delete.
            control = Path(conn.transport_options.get("control_folder", "control"))
            (control / f"{worker.queue}.exchange").unlink(missing_ok=True)


@contextmanager
def running_worker(*, queue: str, sms_dir: Path):
    worker = Worker(queue=queue, sms_dir=sms_dir)
    try:
        worker.start()
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()
        _forget_queue(worker)


# ------------------------------------------------------------------ the test


def _due_thank_you_reminder(consultant) -> Reminder:
    """A real reminder row, made by the services exactly as the register makes it."""
    showroom = consultant.showroom
    # The worker sends with the real clock: no quiet hours (start == end), so the result
    # does not depend on the time of day the suite runs at.
    showroom.quiet_hours_start = showroom.quiet_hours_end = clock_time(0, 0)
    showroom.save(update_fields=["quiet_hours_start", "quiet_hours_end", "updated_at"])
    now = timezone.now()
    visit = visit_create(
        showroom=showroom, consultant=consultant, by=consultant, channel="walk_in",
        arrived_at=now - timedelta(hours=3), mobile=MOBILE, name="张伟", sms_consent=True,
    ).visit
    # Left 100 minutes ago: the 90-minute delay is over, the 2-hour window is not, so the
    # service schedules the SMS as due now.
    visit_close(visit=visit, left_at=now - timedelta(minutes=100), by=consultant)
    return Reminder.objects.get(customer=visit.customer, channel=Reminder.Channel.SMS)


def _dispatch_in_this_process(results: list, errors: list) -> None:
    """A third dispatcher, in this process, started once the worker holds both dispatch
    messages. It usually arrives a few milliseconds after the worker's children and finds
    nothing to claim; whoever wins, the assertions below are the same."""
    try:
        ids, token = services.reminders_claim_due()
        results.extend(services.reminders_send(reminder_ids=ids, token=token).values())
    except Exception as exc:  # noqa: BLE001 — reported by the test
        errors.append(exc)
    finally:
        connection.close()  # this thread's connection; the DB is flushed after the test


def test_due_thank_you_sms_is_sent_exactly_once_when_two_dispatchers_run_at_once(
    transactional_db, django_db_serialized_rollback, settings, tmp_path, consultant, monkeypatch
):
    queue = f"test-{uuid4().hex}"
    sms_dir = tmp_path / "sms"
    # An SMS sent by the in-process dispatcher lands in the same folder as the worker's.
    settings.SMS_BACKEND = "followup.sms.file.FileBackend"
    settings.SMS_FILE_PATH = str(sms_dir)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)  # really go through the broker

    reminder = _due_thank_you_reminder(consultant)
    customer = reminder.customer
    assert reminder.status == Reminder.Status.PENDING
    assert reminder.due_at <= timezone.now()
    assert str(customer.mobile) == MOBILE

    with running_worker(queue=queue, sms_dir=sms_dir) as worker:
        for _ in range(2):
            dispatch_due_reminders.apply_async(queue=queue)
        # Join the race as soon as the worker has both dispatch messages in hand.
        worker.wait_until(lambda: worker.count(rf"{DISPATCH_TASK}\[[^]]+\] received") >= 2,
                          timeout=SENT_TIMEOUT, what="both dispatch tasks to be received")
        here_results, here_errors = [], []
        racer = threading.Thread(target=_dispatch_in_this_process, args=(here_results, here_errors))
        racer.start()

        def status() -> str:
            return Reminder.objects.values_list("status", flat=True).get(pk=reminder.pk)

        worker.wait_until(lambda: status() not in {Reminder.Status.PENDING, Reminder.Status.CLAIMED,
                                                   Reminder.Status.SENDING},
                          timeout=SENT_TIMEOUT, what="the reminder to be sent")
        racer.join(timeout=SENT_TIMEOUT)

        # Quiet: both dispatchers done, every send task handed out has finished, and it
        # stays so for a few seconds, so a duplicate would have had time to show up.
        def settled() -> bool:
            return (
                worker.count(rf"{DISPATCH_TASK}\[[^]]+\] (succeeded|raised)") >= 2
                and worker.count(rf"{SEND_TASK}\[[^]]+\] received")
                == worker.count(rf"{SEND_TASK}\[[^]]+\] (succeeded|raised|retry)")
            )

        worker.wait_until(settled, timeout=SENT_TIMEOUT, what="the worker to finish its tasks")
        time.sleep(DUPLICATE_GRACE)
        worker.wait_until(settled, timeout=SENT_TIMEOUT, what="the worker to finish its tasks")
        log = worker.report()

    context = f"in-process dispatcher: {here_results} {here_errors}\n{log}"
    assert not racer.is_alive() and not here_errors, context
    messages = sorted(sms_dir.glob("*.json")) if sms_dir.exists() else []
    assert len(messages) == 1, f"{len(messages)} SMS sent: {messages}\n{context}"
    payload = json.loads(messages[0].read_text())
    assert payload["to"] == MOBILE, context
    assert "【Pudong Motors】" in payload["body"], context
    assert payload["idempotency_key"] == reminder.idempotency_key, context

    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT, f"{reminder.last_error}\n{context}"
    assert reminder.attempts == 1, context
    assert reminder.body == payload["body"], context
    assert customer.timeline.filter(kind=TimelineEvent.Kind.REMINDER_SENT).count() == 1, context
    # Who did it: exactly one of the three dispatchers claimed the row, and one send went out.
    handed_out = [int(n) for n in re.findall(rf"{DISPATCH_TASK}\[[^]]+\] succeeded in .*: (\d+)", log)]
    assert len(handed_out) == 2 and sum(handed_out) + len(here_results) == 1, context
    sent_by_worker = sum(
        int(n) for n in re.findall(rf"{SEND_TASK}\[[^]]+\] succeeded in .*: {{'sent': (\d+)}}", log)
    )
    assert sent_by_worker + here_results.count("sent") == 1, context
