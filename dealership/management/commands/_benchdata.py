"""Synthetic data of a dealer group's shape for ``manage.py bench`` (bulk inserts only).

Shape: showrooms with one manager and N consultants each; customers spread over two years,
most with a mobile and SMS consent; each customer's visits, the timeline entries the real
services would have written (created, visit logged/left, reminder sent), thank-you reminders
mostly sent; one customer with a very long timeline; today's register half still open.
"""

import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from dealership.models import Notification, Showroom, User
from dealership.roles import Role
from followup.models import Reminder
from leads.models import (
    SOURCES_NEEDING_REFERRER,
    Customer,
    Grade,
    LeadSource,
    ProspectingPlan,
    Source,
    TimelineEvent,
)
from showroom.models import Channel, Visit

BENCH_PASSWORD = "bench-pass-2026"  # noqa: S105 — synthetic users in a throw-away database
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞鑫宇浩然子轩梓涵一诺欣怡"
PREFIXES = ["139", "138", "137", "136", "135", "150", "151", "152", "158", "159", "186", "187", "188", "133"]
MODELS = ["Lotus Eletre", "Lotus Emeya", "Lotus Emira", "Sedan L", "SUV X5", "Hatch 3", ""]
GRADE_WEIGHTS = {Grade.H: 5, Grade.A: 10, Grade.B: 20, Grade.C: 40, Grade.O: 5, Grade.D: 10, Grade.F: 10}
BATCH = 5000


@dataclass
class Sizes:
    showrooms: int = 3
    consultants: int = 60
    customers: int = 100_000
    visits: int = 300_000
    reminders: int = 300_000
    long_timeline: int = 2_000
    today_visits_per_showroom: int = 80


@dataclass
class Seeded:
    showrooms: list = field(default_factory=list)
    managers: list = field(default_factory=list)
    consultants: list = field(default_factory=list)
    long_timeline_customer: Customer | None = None
    lookup_mobile: str = ""
    search_term: str = ""
    rows: dict = field(default_factory=dict)


class _NoAutoNow:
    """Let bulk_create keep the historical ``created_at`` values the seed gives."""

    def __init__(self, *model_classes):
        self.fields = [
            f
            for m in model_classes
            for f in m._meta.concrete_fields
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
        ]

    def __enter__(self):
        self.saved = [(f, f.auto_now, f.auto_now_add) for f in self.fields]
        for f in self.fields:
            f.auto_now = f.auto_now_add = False

    def __exit__(self, *exc):
        for f, auto_now, auto_now_add in self.saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


_next_id: dict = {}


def _insert(model, objs) -> list:
    """Insert rows with ids given here: COPY on PostgreSQL (several times faster than
    INSERT there), bulk_create elsewhere. Sequences are reset once seeding is done."""
    objs = list(objs)
    for obj in objs:
        if obj.pk is None:
            obj.pk = _next_id[model] = _next_id.get(model, 0) + 1
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH)
        return objs
    fields = model._meta.concrete_fields
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for obj in objs:
        row = []
        for f in fields:
            value = getattr(obj, f.attname)
            if value is None:
                row.append(r"\N")
            elif isinstance(f, models.JSONField):
                row.append(json.dumps(value, ensure_ascii=False))
            elif isinstance(value, datetime):
                row.append(value.isoformat())
            else:
                row.append(str(f.get_db_prep_save(value, connection)))
        writer.writerow(row)
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
            r"FROM STDIN WITH (FORMAT csv, NULL '\N')",
            buffer,
        )
    return objs


def _reset_sequences() -> None:
    sql = connection.ops.sequence_reset_sql(no_style(), list(_next_id))
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def _mobile(i: int) -> str:
    return f"+86{PREFIXES[i % len(PREFIXES)]}{i:08d}"


def seed(sizes: Sizes, *, rng: random.Random | None = None) -> Seeded:
    rng = rng or random.Random(2026)  # noqa: S311 — synthetic data, not security
    now = timezone.now()
    out = Seeded()
    _next_id.clear()
    with _NoAutoNow(Showroom, User, Customer, Visit, Reminder):
        _seed_staff(sizes, out, now)
        owners_by_showroom = {
            s.pk: [c for c in out.consultants if c.showroom_id == s.pk] for s in out.showrooms
        }
        _seed_lead_sources(out, now)
        customers = _seed_customers(sizes, out, now, rng, owners_by_showroom)
        _seed_visits(sizes, out, now, rng, customers)
        _seed_reminders(sizes, out, now, rng, customers)
        _seed_calls(out, now, rng, customers)
        _seed_long_timeline(sizes, out, now, rng, customers)
        _seed_notifications(out, now, customers)
    _reset_sequences()
    return out


def _seed_staff(sizes: Sizes, out: Seeded, now: datetime) -> None:
    out.showrooms = Showroom.objects.bulk_create(
        [
            Showroom(
                name=f"Bench Motors {n + 1}",
                sms_signature=f"Bench {n + 1}",
                # No quiet hours, so the dispatcher measurement does not depend on the time of day.
                quiet_hours_start=time(0, 0),
                quiet_hours_end=time(0, 0),
                created_at=now,
                updated_at=now,
            )
            for n in range(sizes.showrooms)
        ]
    )
    password = make_password(BENCH_PASSWORD)
    users = []
    for s_index, showroom in enumerate(out.showrooms):
        users.append(
            User(
                username=f"manager{s_index + 1}",
                first_name="Manager",
                last_name=str(s_index + 1),
                showroom=showroom,
                password=password,
            )
        )
    per_showroom = max(1, sizes.consultants // sizes.showrooms)
    for n in range(sizes.consultants):
        showroom = out.showrooms[min(n // per_showroom, sizes.showrooms - 1)]
        users.append(
            User(
                username=f"consultant{n + 1}",
                first_name=GIVEN[n % len(GIVEN)],
                last_name=SURNAMES[n % len(SURNAMES)],
                showroom=showroom,
                password=password,
                mobile=_mobile(90_000_000 + n),
            )
        )
    users = User.objects.bulk_create(users)
    out.managers = users[: sizes.showrooms]
    out.consultants = users[sizes.showrooms :]
    groups = {
        g.name: g
        for g in Group.objects.filter(name__in=[Role.SALES_MANAGER.value, Role.SALES_CONSULTANT.value])
    }
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=u.pk, group_id=groups[Role.SALES_MANAGER.value].pk) for u in out.managers]
        + [Membership(user_id=u.pk, group_id=groups[Role.SALES_CONSULTANT.value].pk) for u in out.consultants]
    )
    out.rows["users"] = len(users)


def _seed_lead_sources(out: Seeded, now: datetime) -> None:
    """Each showroom's 12 default sources (as showroom_setup gives a new one) and this month's
    prospecting plan, so the plan-against-actual page has targets to compare with."""
    LeadSource.objects.bulk_create(
        [
            LeadSource(showroom=showroom, code=source.value, position=position,
                       needs_referrer=source in SOURCES_NEEDING_REFERRER)
            for showroom in out.showrooms
            for position, source in enumerate(Source)
        ]
    )
    ProspectingPlan.objects.bulk_create(
        [
            ProspectingPlan(showroom=showroom, month=timezone.localdate(now, showroom.tzinfo).replace(day=1),
                            source=source.value,
                            target_customers=100 + 10 * position, target_visits=200 + 20 * position)
            for showroom in out.showrooms
            for position, source in enumerate(Source)
        ]
    )
    out.rows["lead sources"] = len(out.showrooms) * len(Source)


def _seed_customers(sizes, out, now, rng, owners_by_showroom) -> list[Customer]:
    grades = list(GRADE_WEIGHTS)
    grade_weights = list(GRADE_WEIGHTS.values())
    sources = [s.value for s in Source]
    customers = []
    for i in range(sizes.customers):
        showroom = out.showrooms[i % len(out.showrooms)]
        has_mobile = i % 20 != 7  # 95 % left a mobile number
        created = now - timedelta(days=rng.uniform(1, 730))
        customers.append(
            Customer(
                showroom=showroom,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else ""),
                mobile=_mobile(i) if has_mobile else "",
                source=rng.choice(sources),
                owner=rng.choice(owners_by_showroom[showroom.pk]) if i % 50 else None,
                grade=rng.choices(grades, grade_weights)[0],
                sms_consent=i % 5 != 0,
                language="zh-hans" if i % 20 else "en",
                last_contact_at=created + timedelta(days=rng.uniform(0, 30)),
                created_at=created,
                updated_at=created,
            )
        )
    _give_owners_cars(customers, now, rng)
    customers = _insert(Customer, customers)
    _insert(
        TimelineEvent,
        (
            TimelineEvent(
                customer_id=c.pk,
                kind=TimelineEvent.Kind.CUSTOMER_CREATED,
                created_at=c.created_at,
                actor_id=c.owner_id,
                data={"source": c.source},
            )
            for c in customers
        ),
    )
    out.rows["customers"] = len(customers)
    out.rows["timeline"] = len(customers)
    first_owned = next(c for c in customers if c.owner_id and c.mobile and c.showroom_id == out.showrooms[0].pk)
    out.lookup_mobile = str(first_owned.mobile)
    out.search_term = first_owned.name[:1]  # a common surname: thousands of matches
    return customers


PROVINCES = "沪浙苏京粤"


def _give_owners_cars(customers, now, rng) -> None:
    """Owners (grade D) bought their car 0 to 8 years ago and have a plate: the replacement
    list (3+ years) holds about five eighths of them."""
    for i, c in enumerate(customers):
        if c.grade == Grade.D:
            c.purchase_date = (now - timedelta(days=rng.uniform(0, 8 * 365))).date()
            c.vehicle = rng.choice(("轿车 Sedan", "SUV", "MPV"))
            c.plate = f"{PROVINCES[i % len(PROVINCES)]}{chr(65 + i % 26)}{i % 100000:05d}"


def _seed_visits(sizes, out, now, rng, customers) -> None:
    channels = [Channel.WALK_IN, Channel.WALK_IN, Channel.WALK_IN, Channel.PHONE_IN, Channel.SMS_MAIL]
    today_start = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0)
    if today_start > now:
        today_start = now - timedelta(hours=2)
    visits, events = [], []
    today_total = sizes.today_visits_per_showroom * len(out.showrooms)
    for n in range(sizes.visits):
        customer = customers[rng.randrange(len(customers))]
        consultant_id = customer.owner_id or out.managers[0].pk
        if n < today_total:
            arrived = today_start + (now - today_start) * rng.random()
            left = None if n % 2 else min(arrived + timedelta(minutes=rng.uniform(10, 90)), now)
        else:
            arrived = customer.created_at + timedelta(days=rng.uniform(0, 60))
            arrived = min(arrived, now - timedelta(days=1))
            left = arrived + timedelta(minutes=rng.uniform(10, 120))
        visits.append(
            Visit(
                showroom_id=customer.showroom_id,
                customer_id=customer.pk,
                consultant_id=consultant_id,
                channel=channels[n % len(channels)],
                arrived_at=arrived,
                left_at=left,
                registered_at=left + timedelta(minutes=rng.uniform(0, 15)) if left else None,
                party_size=1 + n % 3,
                is_first_visit=n % 4 == 0,
                source=customer.source,
                grade=customer.grade,
                created_at=arrived,
                updated_at=left or arrived,
            )
        )
        events.append(
            TimelineEvent(
                customer_id=customer.pk,
                kind=TimelineEvent.Kind.VISIT_LOGGED,
                created_at=arrived,
                actor_id=consultant_id,
                data={"channel": visits[-1].channel, "arrived_at": arrived.isoformat(), "party_size": 1},
            )
        )
        if left:
            events.append(
                TimelineEvent(
                    customer_id=customer.pk,
                    kind=TimelineEvent.Kind.VISIT_CLOSED,
                    created_at=left,
                    actor_id=consultant_id,
                    data={"left_at": left.isoformat()},
                )
            )
        if len(visits) >= BATCH:
            _insert(Visit, visits)
            _insert(TimelineEvent, events)
            out.rows["visits"] = out.rows.get("visits", 0) + len(visits)
            out.rows["timeline"] += len(events)
            visits, events = [], []
    _insert(Visit, visits)
    _insert(TimelineEvent, events)
    out.rows["visits"] = out.rows.get("visits", 0) + len(visits)
    out.rows["timeline"] += len(events)


def _seed_reminders(sizes, out, now, rng, customers) -> None:
    reachable = [c for c in customers if c.mobile and c.sms_consent]
    reminders, events = [], []
    # SMS only here; open follow-up calls come from _seed_calls.
    created = 0
    for n in range(sizes.reminders):
        customer = reachable[rng.randrange(len(reachable))]
        due = customer.created_at + timedelta(days=rng.uniform(0, 60), minutes=90)
        roll = n % 100
        if roll < 90 and due < now:
            status, sent_at = Reminder.Status.SENT, due + timedelta(seconds=rng.uniform(1, 60))
        elif roll < 95:
            status, sent_at = Reminder.Status.CANCELLED, None
        elif roll < 96:
            status, sent_at = Reminder.Status.FAILED, None
        else:  # still to go out, a little in the future
            status, sent_at, due = Reminder.Status.PENDING, None, now + timedelta(minutes=rng.uniform(5, 120))
        reminders.append(
            Reminder(
                showroom_id=customer.showroom_id,
                customer_id=customer.pk,
                kind=Reminder.Kind.THANK_YOU_VISIT,
                channel=Reminder.Channel.SMS,
                due_at=due,
                status=status,
                attempts=1 if sent_at else 0,
                sent_at=sent_at,
                idempotency_key=f"bench:history:{n}",
                body="【Bench】感谢您今天光临展厅。" if sent_at else "",
                created_at=min(due, now),
                updated_at=sent_at or min(due, now),
            )
        )
        if sent_at:
            events.append(
                TimelineEvent(
                    customer_id=customer.pk,
                    kind=TimelineEvent.Kind.REMINDER_SENT,
                    created_at=sent_at,
                    data={"reminder_kind": Reminder.Kind.THANK_YOU_VISIT, "sent_at": sent_at.isoformat()},
                )
            )
        if len(reminders) >= BATCH:
            _insert(Reminder, reminders)
            _insert(TimelineEvent, events)
            created += len(reminders)
            out.rows["timeline"] += len(events)
            reminders, events = [], []
    _insert(Reminder, reminders)
    _insert(TimelineEvent, events)
    out.rows["reminders"] = created + len(reminders)
    out.rows["timeline"] += len(events)


def _seed_calls(out, now, rng, customers) -> None:
    """One open follow-up call per reachable customer with a live grade (what the cadence
    keeps): most in the next two weeks, some due today, a few overdue."""
    live = {Grade.H, Grade.A, Grade.B, Grade.C}
    calls = []
    for n, c in enumerate(customers):
        if c.grade not in live or not c.mobile or not c.owner_id:
            continue
        roll = n % 20
        if roll == 0:
            due = now - timedelta(days=rng.uniform(1, 5))  # overdue
        elif roll < 3:
            due = now - timedelta(minutes=rng.uniform(0, 300))  # due today
        else:
            due = now + timedelta(days=rng.uniform(0.5, 14))
        calls.append(
            Reminder(
                showroom_id=c.showroom_id,
                customer_id=c.pk,
                kind=Reminder.Kind.FOLLOW_UP_CALL,
                channel=Reminder.Channel.CALL,
                due_at=due,
                idempotency_key=f"bench:call:{c.pk}",
                created_at=min(due, now),
                updated_at=min(due, now),
            )
        )
    _insert(Reminder, calls)
    out.rows["calls"] = len(calls)


def _seed_long_timeline(sizes, out, now, rng, customers) -> None:
    customer = next(c for c in customers if str(c.mobile) == out.lookup_mobile)
    kinds = [TimelineEvent.Kind.VISIT_LOGGED, TimelineEvent.Kind.VISIT_CLOSED, TimelineEvent.Kind.GRADE_CHANGED]
    _insert(
        TimelineEvent,
        [
            TimelineEvent(
                customer_id=customer.pk,
                kind=kinds[n % 3],
                created_at=now - timedelta(hours=n),
                actor_id=customer.owner_id,
                data={
                    "channel": Channel.WALK_IN,
                    "arrived_at": (now - timedelta(hours=n)).isoformat(),
                    "left_at": (now - timedelta(hours=n)).isoformat(),
                    "from": "C",
                    "to": "B",
                },
            )
            for n in range(sizes.long_timeline)
        ],
    )
    out.rows["timeline"] += sizes.long_timeline
    out.long_timeline_customer = customer


def _seed_notifications(out, now, customers) -> None:
    by_owner = {}
    for c in customers[:5000]:
        if c.owner_id:
            by_owner.setdefault(c.owner_id, []).append(c)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=owner_id,
                kind=Notification.Kind.RETURNING_CUSTOMER,
                customer_id=c.pk,
                actor_id=owner_id,
                created_at=now - timedelta(minutes=n),
            )
            for owner_id, owned in by_owner.items()
            for n, c in enumerate(owned[:10])
        ]
    )


def due_reminders(out: Seeded, count: int, *, now: datetime) -> list[int]:
    """``count`` thank-you reminders due now, for customers who can receive them."""
    customers = list(
        Customer.objects.filter(sms_consent=True).exclude(mobile="").order_by("pk").values_list(
            "pk", "showroom_id"
        )[:count]
    )
    rows = [
        Reminder(
            showroom_id=customers[n % len(customers)][1],
            customer_id=customers[n % len(customers)][0],
            kind=Reminder.Kind.THANK_YOU_VISIT,
            channel=Reminder.Channel.SMS,
            due_at=now - timedelta(seconds=n % 600),
            idempotency_key=f"bench:due:{n}",
        )
        for n in range(count)
    ]
    return [r.pk for r in Reminder.objects.bulk_create(rows, batch_size=BATCH)]
