"""``manage.py bench`` (``make bench``): seed a dealer group's volume, then measure.

Runs in a database of its own, created and dropped like a test database (SQLite file
``var/bench.sqlite3`` by default; ``bench_<name>`` on PostgreSQL when DATABASE_URL is set),
so it never touches the working data.

Measures, in one process:
- each key page: SQL queries per request, and server latency p50/p95 over ``--requests``
  requests through the whole middleware stack (Django's test client, no network), next to
  a trivial view behind the same middleware as the floor — among them the manager's live
  board (the page and its 15-second htmx poll), the compliance page over 90 days, today's
  checklists and the pass-rate history over 90 days;
- the reminder dispatcher: ``--dispatch`` due SMS reminders claimed and sent by one worker
  (the beat task with its send tasks run eagerly, in-memory SMS backend), reminders per
  second, duplicates and reminders left unsent.

The last line printed is one JSON object with the figures.
"""

import json
import logging
import statistics
import time
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django.utils import timezone

from dealership.management.commands import _benchdata
from followup.models import Reminder
from followup.sms import locmem


def floor_view(request):
    """The floor: a view that does nothing, behind the same middleware as every page."""
    return HttpResponse("ok")


urlpatterns = [
    path("__bench__/floor/", floor_view, name="bench-floor"),
    path("", include(settings.ROOT_URLCONF)),
]


class QueryLog(list):
    """A database execute wrapper that keeps each statement's SQL."""

    def __call__(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)


class Command(BaseCommand):
    help = "Seed synthetic data at a dealer group's size and measure pages and the reminder dispatcher."

    def add_arguments(self, parser):
        sizes = _benchdata.Sizes()
        parser.add_argument("--showrooms", type=int, default=sizes.showrooms)
        parser.add_argument("--consultants", type=int, default=sizes.consultants)
        parser.add_argument("--customers", type=int, default=sizes.customers)
        parser.add_argument("--visits", type=int, default=sizes.visits)
        parser.add_argument("--reminders", type=int, default=sizes.reminders)
        parser.add_argument("--long-timeline", type=int, default=sizes.long_timeline)
        parser.add_argument("--models", type=int, default=sizes.models, help="vehicle models (4 trims each)")
        parser.add_argument("--stock", type=int, default=sizes.stock, help="stock cars over all showrooms")
        parser.add_argument(
            "--floor-days", type=int, default=sizes.floor_days,
            help="days of duty, head counts, appointments, calls and checklists (compliance page over at most 90)",
        )
        parser.add_argument("--requests", type=int, default=200, help="requests per page (default 200)")
        parser.add_argument("--dispatch", type=int, default=10_000, help="due SMS reminders to dispatch")
        parser.add_argument("--show-queries", action="store_true", help="print each page's SQL")
        parser.add_argument("--keep-db", action="store_true", help="keep the bench database afterwards")

    def handle(self, *args, **opts):
        sizes = _benchdata.Sizes(
            showrooms=opts["showrooms"],
            consultants=max(opts["consultants"], opts["showrooms"]),
            customers=opts["customers"],
            visits=opts["visits"],
            reminders=opts["reminders"],
            long_timeline=opts["long_timeline"],
            models=max(opts["models"], 1),
            stock=opts["stock"],
            floor_days=max(opts["floor_days"], 1),
        )
        test = connection.settings_dict["TEST"]
        if connection.vendor == "sqlite":
            test["NAME"] = str(settings.VAR_DIR / "bench.sqlite3")
        else:
            test["NAME"] = f"bench_{connection.settings_dict['NAME']}"
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        logging.disable(logging.INFO)  # one log line per request or SMS would be measured too
        # Eager tasks still open a producer; on the filesystem broker kombu warns it has no host.
        logging.getLogger("kombu.connection").setLevel(logging.ERROR)
        try:
            self._run(sizes, opts)
        finally:
            logging.disable(logging.NOTSET)
            if not opts["keep_db"]:
                connection.creation.destroy_test_db(old_name, verbosity=0)

    # ------------------------------------------------------------------ the run

    def _run(self, sizes, opts):
        engine = connection.display_name
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                engine = f"PostgreSQL {cursor.fetchone()[0]}"
        elif connection.vendor == "sqlite":
            engine = f"SQLite {connection.Database.sqlite_version}"
        self.stdout.write(
            f"Seeding {sizes.showrooms} showrooms, {sizes.consultants} consultants, {sizes.customers:,} customers, "
            f"{sizes.visits:,} visits, {sizes.reminders:,} reminders, {sizes.models} models, "
            f"{sizes.stock:,} stock cars on {engine} …"
        )
        started = time.perf_counter()
        seeded = _benchdata.seed(sizes)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seed_s = time.perf_counter() - started
        rows = ", ".join(f"{k} {v:,}" for k, v in seeded.rows.items())
        self.stdout.write(f"Seeded in {seed_s:.1f} s ({rows}).")

        with override_settings(
            ROOT_URLCONF=__name__,
            DEBUG=False,
            ALLOWED_HOSTS=["testserver"],
            LANGUAGE_CODE="zh-hans",
        ):
            pages = self._measure_pages(seeded, opts["requests"], show_queries=opts["show_queries"])
        dispatch = self._measure_dispatch(seeded, opts["dispatch"])
        self._report(sizes, engine, seed_s, pages, dispatch, opts["requests"])

    def _clients(self, seeded):
        manager, consultant = seeded.managers[0], seeded.long_timeline_customer.owner
        clients = {}
        for user in (manager, consultant):
            client = Client(raise_request_exception=True)
            client.force_login(user)
            clients[user.pk] = client
        return manager, consultant, clients

    def _pages(self, seeded):
        manager, consultant, clients = self._clients(seeded)
        customer = seeded.long_timeline_customer
        lookup_digits = seeded.lookup_mobile.removeprefix("+86")
        today = timezone.localdate(timezone.now(), seeded.showrooms[0].tzinfo)
        days = min(seeded.floor_days, 90)  # the compliance page's longest range
        period = f"start={today - timedelta(days=days - 1)}&end={today}"
        # (page, who, url, extra headers)
        return [
            ("floor (trivial view)", consultant, reverse("bench-floor"), {}),
            (
                "customer list + search",
                manager,
                f"{reverse('leads:customer-list')}?q={seeded.search_term}",
                {},
            ),
            ("customer page, long timeline", manager, reverse("leads:customer-detail", args=[customer.pk]), {}),
            ("visitor register today", manager, reverse("showroom:visit-list"), {}),
            ("My day", consultant, reverse("home"), {}),
            ("My day (manager)", manager, reverse("home"), {}),
            ("replacement opportunities", manager, reverse("leads:replacement-list"), {}),
            ("new-visit form", consultant, reverse("showroom:visit-create"), {}),
            ("prospecting plan", manager, reverse("leads:prospecting-plan"), {}),
            (
                "mobile look-up",
                consultant,
                f"{reverse('showroom:mobile-lookup')}?mobile={lookup_digits}",
                {"HX-Request": "true"},
            ),
            ("walkaround page", consultant, reverse("showroom:walkaround", args=[seeded.walkaround.pk]), {}),
            ("stock look-up", consultant, f"{reverse('showroom:stock')}?model={seeded.stock_model_id}", {}),
            ("catalog", consultant, reverse("showroom:catalog"), {}),
            ("model detail", consultant, reverse("showroom:model-detail", args=[seeded.stock_model_id]), {}),
            ("booking calendar", consultant, reverse("testdrive:calendar"), {}),
            ("floor board", manager, reverse("showroom:board"), {}),
            ("floor board poll", manager, reverse("showroom:board"), {"HX-Request": "true"}),
            (f"compliance, {days} days", manager, f"{reverse('showroom:compliance')}?{period}", {}),
            ("checklist day", manager, reverse("showroom:checklist-day"), {}),
            (
                f"checklist history, {90 if days >= 90 else 30} days",
                manager,
                f"{reverse('showroom:checklist-history')}?template={seeded.readiness_template_id}"
                f"&days={90 if days >= 90 else 30}&series=consultant",
                {},
            ),
        ], clients

    def _measure_pages(self, seeded, n_requests, *, show_queries=False):
        pages, clients = self._pages(seeded)
        results = {}
        for name, user, url, headers in pages:
            client = clients[user.pk]
            queries = QueryLog()
            with connection.execute_wrapper(queries):
                response = client.get(url, headers=headers)
            if show_queries:
                self.stdout.write(f"\n-- {name}: {url}\n" + "\n".join(f"{n + 1}. {sql}" for n, sql in enumerate(queries)))
            if response.status_code != 200:
                raise SystemExit(f"{name}: {url} answered {response.status_code}")
            for _ in range(10):  # warm-up: caches, compiled templates, prepared plans
                client.get(url, headers=headers)
            timings = []
            for _ in range(n_requests):
                t0 = time.perf_counter()
                client.get(url, headers=headers)
                timings.append((time.perf_counter() - t0) * 1000)
            timings.sort()
            results[name] = {
                "url": url,
                "user": user.username,
                "queries": len(queries),
                "p50": statistics.median(timings),
                "p95": timings[max(0, int(round(0.95 * len(timings))) - 1)],
                "bytes": len(response.content),
            }
        return results

    def _measure_dispatch(self, seeded, count):
        from followup.tasks import dispatch_due_reminders

        now = timezone.now()
        ids = _benchdata.due_reminders(seeded, count, now=now)
        locmem.clear()
        runs = 0
        with override_settings(SMS_BACKEND="followup.sms.locmem.LocmemBackend", CELERY_TASK_ALWAYS_EAGER=True):
            from dealership.celery import app

            app.conf.task_always_eager = True
            try:
                started = time.perf_counter()
                while True:
                    runs += 1
                    if not dispatch_due_reminders() or runs > count:
                        break
                elapsed = time.perf_counter() - started
            finally:
                app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        keys = Counter(message.idempotency_key for message in locmem.outbox)
        ours = {f"bench:due:{n}" for n in range(count)}
        duplicates = sum(times - 1 for times in keys.values() if times > 1)
        unsent = Reminder.objects.filter(pk__in=ids).exclude(status=Reminder.Status.SENT).count()
        sent_ours = sum(1 for key in keys if key in ours)
        locmem.clear()
        return {
            "count": count,
            "seconds": elapsed,
            "per_s": count / elapsed if elapsed else 0.0,
            "duplicates": duplicates,
            "unsent": unsent,
            "messages": sent_ours,
            "runs": runs,
        }

    def _report(self, sizes, engine, seed_s, pages, dispatch, n_requests):
        floor_name = "floor (trivial view)"
        floor = pages[floor_name]["p50"]
        w = max(len(name) for name in pages)
        lines = [
            "",
            f"Pages ({n_requests} requests each, after 10 warm-up; in-process, DEBUG off, zh-hans) on {engine}",
            f"{'page':<{w}}  {'user':<13} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'p50/floor':>9}",
        ]
        for name, r in pages.items():
            lines.append(
                f"{name:<{w}}  {r['user']:<13} {r['queries']:>7} {r['p50']:>8.2f} {r['p95']:>8.2f} "
                f"{r['p50'] / floor:>9.1f}"
            )
        lines += [
            "",
            f"Dispatcher: {dispatch['count']:,} due SMS reminders, one worker (beat task + eager send "
            f"tasks, in-memory SMS) in {dispatch['seconds']:.2f} s over {dispatch['runs']} dispatcher run(s)",
            f"  {dispatch['per_s']:,.0f} reminders/s · duplicates {dispatch['duplicates']} · "
            f"unsent {dispatch['unsent']} · messages {dispatch['messages']:,}",
            "",
            f"Seeding took {seed_s:.1f} s.",
        ]
        self.stdout.write("\n".join(lines))
        key_pages = {name: r for name, r in pages.items() if name != floor_name}
        summary = {
            "database": engine,
            "customers": sizes.customers,
            "seed_s": round(seed_s, 1),
            "max_queries_per_page": max(r["queries"] for r in key_pages.values()),
            "queries": {name: r["queries"] for name, r in key_pages.items()},
            "p50_ms": {name: round(r["p50"], 2) for name, r in key_pages.items()},
            "p95_ms": {name: round(r["p95"], 2) for name, r in key_pages.items()},
            "floor_p50_ms": round(floor, 2),
            "dispatch_per_s": round(dispatch["per_s"], 1),
            "duplicates": dispatch["duplicates"],
            "unsent": dispatch["unsent"],
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
