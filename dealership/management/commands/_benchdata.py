"""Synthetic data of a dealer group's shape for ``manage.py bench`` (bulk inserts only).

Shape: showrooms with one manager and N consultants each; customers spread over two years,
most with a mobile and SMS consent; each customer's visits, the timeline entries the real
services would have written (created, visit logged/left, reminder sent), thank-you reminders
mostly sent; one customer with a very long timeline; today's register half still open.
The vehicle catalog (brands, series, models, trims with colours, accessories), each showroom's
price lists (past, current, next month's) and stock, the selling points of every model at the
six walkaround positions; most visits name a model of interest, one in twenty closed ones has a
finished walkaround, and the measured consultant has one in progress.
The floor over the last 90 days (``floor_days``) and today: duty rosters, hourly head counts,
appointments, the visits' thank-you SMS under their compliance keys, follow-up calls done, and
the daily checklists with answers, fixes and sign-offs (``_seed_floor``).
"""

import csv
import io
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from dealership.management.commands._democatalog import make_vin
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
from showroom.models import (
    Accessory,
    AnswerType,
    Appointment,
    AppointmentPurpose,
    Brand,
    Channel,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistKind,
    ChecklistRun,
    ChecklistTemplate,
    Colour,
    DaySignOff,
    DutySlot,
    Fix,
    HeadCount,
    Interest,
    Presentation,
    PresentationPoint,
    PriceList,
    PriceListEntry,
    SellingPoint,
    Series,
    StockCar,
    StockStatus,
    Trim,
    VehicleModel,
    Visit,
    WalkaroundPosition,
)

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
    brands: int = 3
    models: int = 30
    trims_per_model: int = 4
    price_lists: int = 3  # per showroom: the last is next month's, the one before it current
    stock: int = 3_000  # cars over all showrooms
    points_per_position: int = 3
    walkaround_every: int = 20  # one closed visit in N with a model has a finished walkaround
    floor_days: int = 90  # days of duty, head counts, appointments, calls and checklists (compliance)
    on_duty: int = 8  # consultants on reception duty per showroom and day
    appointments_per_day: int = 12  # per showroom


@dataclass
class Seeded:
    showrooms: list = field(default_factory=list)
    managers: list = field(default_factory=list)
    consultants: list = field(default_factory=list)
    long_timeline_customer: Customer | None = None
    lookup_mobile: str = ""
    search_term: str = ""
    rows: dict = field(default_factory=dict)
    model_ids: list = field(default_factory=list)
    model_labels: dict = field(default_factory=dict)  # model id → str(VehicleModel)
    selling_points: dict = field(default_factory=dict)  # (model id, position) → [selling point ids]
    stock_model_id: int | None = None  # a model with many cars at the first showroom
    walkaround: Presentation | None = None  # in progress, by the long-timeline customer's consultant
    readiness_template_id: int | None = None  # the first showroom's consultant-readiness checklist
    floor_days: int = 90


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
    with _NoAutoNow(
        Showroom, User, Customer, Visit, Reminder, PriceList, StockCar, Presentation, Appointment, ChecklistRun,
        Fix, DaySignOff,
    ):
        _seed_staff(sizes, out, now)
        owners_by_showroom = {
            s.pk: [c for c in out.consultants if c.showroom_id == s.pk] for s in out.showrooms
        }
        _seed_lead_sources(out, now)
        _seed_catalog(sizes, out, now, rng)
        customers = _seed_customers(sizes, out, now, rng, owners_by_showroom)
        _seed_visits(sizes, out, now, rng, customers)
        _seed_reminders(sizes, out, now, rng, customers)
        _seed_calls(out, now, rng, customers)
        _seed_long_timeline(sizes, out, now, rng, customers)
        _seed_walkaround_in_progress(out, now, rng)
        _seed_notifications(out, now, customers)
        _seed_floor(sizes, out, now, rng)
        _seed_test_drives(out, now, rng, customers)
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
                vehicle_model_id=rng.choice(out.model_ids) if n % 5 else None,
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
            _seed_presentations(sizes, out, rng, visits, events)
            _insert(TimelineEvent, events)
            out.rows["visits"] = out.rows.get("visits", 0) + len(visits)
            out.rows["timeline"] += len(events)
            visits, events = [], []
    _insert(Visit, visits)
    _seed_presentations(sizes, out, rng, visits, events)
    _insert(TimelineEvent, events)
    out.rows["visits"] = out.rows.get("visits", 0) + len(visits)
    out.rows["timeline"] += len(events)


BODY_TYPES = ["Sedan", "SUV", "MPV", "Hatchback"]
FUELS = [("ev", "single", "150 kW motor"), ("phev", "single", "1.5T + 160 kW motor"), ("hybrid", "cvt", "2.0L hybrid"),
         ("petrol", "dct", "1.5T 132 kW"), ("petrol", "automatic", "2.0T 185 kW")]
DRIVES = ["fwd", "rwd", "awd"]
COLOURS_PER_BRAND = 8
COLOURS_PER_TRIM = 5
ACCESSORIES_PER_BRAND = 10
STOCK_STATUSES = (
    [StockStatus.IN_STOCK] * 9 + [StockStatus.IN_TRANSIT] * 3 + [StockStatus.RESERVED] * 2
    + [StockStatus.SOLD] * 3 + [StockStatus.DELIVERED] * 3
)
LOCATIONS = ["Showroom floor", "Lot A", "Lot B", "Off-site yard"]


def _seed_catalog(sizes, out, now, rng) -> None:
    """Brands → series (two models each) → models → trims, with colours, accessories fitting every
    trim of their brand, selling points, each showroom's price lists and stock."""
    brands = _insert(Brand, [Brand(name=f"Bench Brand {b + 1}") for b in range(sizes.brands)])
    colours = _insert(Colour, [
        Colour(brand_id=brand.pk, name=f"Colour {brand.pk}-{c + 1}", paint_code=f"B{brand.pk}C{c + 1}",
               hex=f"#{rng.randrange(0x1000000):06X}")
        for brand in brands for c in range(COLOURS_PER_BRAND)
    ])
    colours_of = {brand.pk: [c for c in colours if c.brand_id == brand.pk] for brand in brands}
    n_series = max(1, sizes.models // 2)
    series = _insert(Series, [
        Series(brand_id=brands[n % len(brands)].pk, name=f"Series {n + 1}") for n in range(n_series)
    ])
    models_ = _insert(VehicleModel, [
        VehicleModel(series_id=series[m % n_series].pk, name=f"Model {m + 1} 2026", model_year=2026,
                     body_type=BODY_TYPES[m % len(BODY_TYPES)], description=f"Bench model number {m + 1}.")
        for m in range(sizes.models)
    ])
    brand_of_series = {s.pk: s.brand_id for s in series}
    brand_of_model = {m.pk: brand_of_series[m.series_id] for m in models_}
    out.model_ids = [m.pk for m in models_]
    brand_names = {b.pk: b.name for b in brands}
    out.model_labels = {m.pk: f"{brand_names[brand_of_model[m.pk]]} {m.name}" for m in models_}  # str(model)
    trims = []
    for m in models_:
        for t in range(sizes.trims_per_model):
            fuel, gearbox, engine = FUELS[(m.pk + t) % len(FUELS)]
            trims.append(Trim(
                vehicle_model_id=m.pk, name=f"Trim {t + 1}", code=f"bench-{m.pk}-{t + 1}", engine=engine,
                gearbox=gearbox, drive=DRIVES[t % len(DRIVES)], fuel=fuel, seats=7 if t == 3 else 5,
                supply_lead_days=7 * (1 + (m.pk + t) % 8),
            ))
    trims = _insert(Trim, trims)
    trim_colours = {}
    TrimColour = Trim.colours.through
    rows = []
    for trim in trims:
        offered = rng.sample(colours_of[brand_of_model[trim.vehicle_model_id]], COLOURS_PER_TRIM)
        trim_colours[trim.pk] = offered
        rows += [TrimColour(trim_id=trim.pk, colour_id=c.pk) for c in offered]
    _insert(TrimColour, rows)
    accessories = _insert(Accessory, [
        Accessory(name=f"Accessory {brand.pk}-{a + 1}", part_number=f"BENCH-{brand.pk}-{a + 1:03d}",
                  price=100 * rng.randint(3, 80))
        for brand in brands for a in range(ACCESSORIES_PER_BRAND)
    ])
    trims_of_brand = {brand.pk: [t for t in trims if brand_of_model[t.vehicle_model_id] == brand.pk] for brand in brands}
    Fits = Accessory.fits.through
    _insert(Fits, [
        Fits(accessory_id=a.pk, trim_id=t.pk)
        for a in accessories for t in trims_of_brand[int(a.part_number.split("-")[1])]
    ])
    points = []
    for m in models_:
        for position in WalkaroundPosition.values:
            for k in range(sizes.points_per_position):
                points.append(SellingPoint(
                    vehicle_model_id=m.pk, position=position, order=k, title=f"Point {position}.{k + 1}",
                    feature="A feature of this model at this position, in a sentence or two.",
                    advantage="What it does better than the competitor's.",
                    benefit="What the customer gets from it in daily use.",
                    evidence="A test result, an award or a demonstration at the car.",
                ))
    for point in _insert(SellingPoint, points):
        out.selling_points.setdefault((point.vehicle_model_id, point.position), []).append(point.pk)
    _seed_price_lists(sizes, out, now, rng, trims, trim_colours)
    _seed_stock(sizes, out, now, rng, trims, trim_colours, brand_of_model)
    out.rows["catalog"] = len(brands) + len(series) + len(models_) + len(trims) + len(accessories)
    out.rows["selling points"] = len(points)


def _seed_price_lists(sizes, out, now, rng, trims, trim_colours) -> None:
    """Per showroom: next month's list from the 1st, the current one until the month's end,
    earlier ones 60 days each before it."""
    lists, entries = [], []
    for showroom in out.showrooms:
        today = timezone.localdate(now, showroom.tzinfo)
        next_start = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        periods = [(next_start, None), (today - timedelta(days=30), next_start - timedelta(days=1))]
        while len(periods) < sizes.price_lists:
            end = periods[-1][0] - timedelta(days=1)
            periods.append((end - timedelta(days=59), end))
        for start, end in reversed(periods[: sizes.price_lists]):
            lists.append(PriceList(showroom_id=showroom.pk, name=f"Guide prices from {start:%Y-%m-%d}",
                                   valid_from=start, valid_until=end, created_at=now, updated_at=now))
    lists = _insert(PriceList, lists)
    base = {trim.pk: 1000 * rng.randint(80, 400) for trim in trims}
    for price_list in lists:
        step = 1000 * (price_list.pk % 3)
        for trim in trims:
            entries.append(PriceListEntry(price_list_id=price_list.pk, trim_id=trim.pk, msrp=base[trim.pk] - step))
            entries.append(PriceListEntry(price_list_id=price_list.pk, trim_id=trim.pk,
                                          colour_id=trim_colours[trim.pk][0].pk, msrp=base[trim.pk] - step + 3000))
    _insert(PriceListEntry, entries)
    out.rows["price lists"] = len(lists)
    out.rows["guide prices"] = len(entries)


def _seed_stock(sizes, out, now, rng, trims, trim_colours, brand_of_model) -> None:
    """Cars spread over the showrooms and trims, in every status; per showroom a display car of
    each of the first models and a few test-drive cars with plates."""
    today = timezone.localdate(now)
    serial = {}
    cars = []
    for n in range(sizes.stock):
        showroom = out.showrooms[n % len(out.showrooms)]
        trim = trims[rng.randrange(len(trims))]
        brand_id = brand_of_model[trim.vehicle_model_id]
        serial[brand_id] = serial.get(brand_id, 0) + 1
        status = STOCK_STATUSES[n % len(STOCK_STATUSES)]
        in_transit = status == StockStatus.IN_TRANSIT
        display = n < len(out.showrooms) * len(out.model_ids) and not in_transit and status == StockStatus.IN_STOCK
        test_drive = not display and status == StockStatus.IN_STOCK and n % 97 == 0
        cars.append(StockCar(
            showroom_id=showroom.pk,
            vin=make_vin(f"LB{brand_id % 10}", f"M{trim.vehicle_model_id % 1000:03d}A", serial[brand_id]),
            trim_id=trim.pk,
            colour_id=rng.choice(trim_colours[trim.pk]).pk,
            status=status,
            arrival_date=today + timedelta(days=rng.randint(3, 30)) if in_transit
            else today - timedelta(days=rng.randint(1, 200)),
            location="" if in_transit else LOCATIONS[0] if display else rng.choice(LOCATIONS[1:]),
            is_display=display,
            is_test_drive=test_drive,
            plate=f"沪A{n % 100000:05d}" if test_drive else "",
            created_at=now,
            updated_at=now,
        ))
    cars = _insert(StockCar, cars)
    first = [c for c in cars if c.showroom_id == out.showrooms[0].pk and c.status in (
        StockStatus.IN_STOCK, StockStatus.IN_TRANSIT)]
    trim_model = {t.pk: t.vehicle_model_id for t in trims}
    by_model = Counter(trim_model[c.trim_id] for c in first)
    out.stock_model_id = by_model.most_common(1)[0][0] if by_model else out.model_ids[0]
    out.rows["stock cars"] = len(cars)


def _presentation_rows(out, rng, presentation_id, model_id, *, positions):
    points, shown = [], []
    Shown = PresentationPoint.selling_points.through
    for position in positions:
        point = PresentationPoint(
            presentation_id=presentation_id, position=position, presented=position != 3 or rng.random() < 0.5,
            interest=rng.choice([Interest.NONE, Interest.SOME, Interest.HIGH, ""]), note="",
        )
        points.append(point)
    points = _insert(PresentationPoint, points)
    for point in points:
        if point.presented:
            ids = out.selling_points.get((model_id, point.position), [])
            shown += [Shown(presentationpoint_id=point.pk, sellingpoint_id=pk) for pk in ids[:2]]
    _insert(Shown, shown)
    return points


def _seed_presentations(sizes, out, rng, visits, events) -> None:
    """A finished walkaround on one closed visit in ``walkaround_every`` that names a model,
    with its six positions and its timeline entry (appended to ``events``)."""
    chosen = [
        v for v in visits
        if v.vehicle_model_id and v.left_at and v.customer_id and v.pk % sizes.walkaround_every == 0
    ]
    presentations = _insert(Presentation, [
        Presentation(
            visit_id=v.pk, vehicle_model_id=v.vehicle_model_id, consultant_id=v.consultant_id,
            completed_at=v.left_at - timedelta(minutes=5), created_at=v.arrived_at, updated_at=v.left_at,
        )
        for v in chosen
    ])
    labels = {p: str(WalkaroundPosition(p).label) for p in WalkaroundPosition.values}
    for v, presentation in zip(chosen, presentations, strict=True):
        points = _presentation_rows(out, rng, presentation.pk, v.vehicle_model_id,
                                    positions=WalkaroundPosition.values)
        events.append(TimelineEvent(
            customer_id=v.customer_id,
            kind=TimelineEvent.Kind.PRESENTATION_RECORDED,
            created_at=presentation.completed_at,
            actor_id=v.consultant_id,
            data={
                "presentation_id": presentation.pk,
                "visit_id": v.pk,
                "model": out.model_labels[v.vehicle_model_id],
                "presented": sum(1 for p in points if p.presented),
                "interested": [labels[p.position] for p in points if p.interest == Interest.HIGH],
            },
        ))
    out.rows["walkarounds"] = out.rows.get("walkarounds", 0) + len(presentations)


def _seed_walkaround_in_progress(out, now, rng) -> None:
    """The measured consultant's customer is in the showroom now and half-way through a
    walkaround of the model with the most stock: positions 1 to 3 recorded."""
    customer = out.long_timeline_customer
    arrived = now - timedelta(minutes=25)
    (visit,) = _insert(Visit, [Visit(
        showroom_id=customer.showroom_id, customer_id=customer.pk, consultant_id=customer.owner_id,
        channel=Channel.WALK_IN, arrived_at=arrived, party_size=2, is_first_visit=False,
        source=customer.source, grade=customer.grade, vehicle_model_id=out.stock_model_id,
        created_at=arrived, updated_at=arrived,
    )])
    (presentation,) = _insert(Presentation, [Presentation(
        visit_id=visit.pk, vehicle_model_id=out.stock_model_id, consultant_id=customer.owner_id,
        created_at=arrived + timedelta(minutes=10), updated_at=now,
    )])
    _presentation_rows(out, rng, presentation.pk, out.stock_model_id, positions=[1, 2, 3])
    out.walkaround = presentation


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


# --- the floor and the checklists (issue 6): the board today, compliance over floor_days ----


def _seed_floor(sizes, out, now, rng) -> None:
    """Per showroom, over the last ``floor_days`` days and today: the duty roster, hourly head
    counts, appointments (most kept, some missed or cancelled), thank-you SMS of the visits
    (the compliance keys, a few sent late), follow-up calls done (some late) and the daily
    checklists (a run per template, test-drive car and consultant on duty; answered, some
    fails with fixes, a few left open; days signed off but yesterday). Today: the day so far."""
    from showroom.checklists import checklist_templates_seed

    for showroom in out.showrooms:
        checklist_templates_seed(showroom=showroom)
    templates = list(ChecklistTemplate.objects.filter(showroom__in=out.showrooms).order_by("showroom_id", "position"))
    items = {}
    for item in ChecklistItem.objects.filter(template__in=templates).order_by("position", "pk"):
        items.setdefault(item.template_id, []).append(item)
    cars = {}
    for car_id, showroom_id in StockCar.objects.filter(showroom__in=out.showrooms, is_test_drive=True).exclude(
        status__in=[StockStatus.SOLD, StockStatus.DELIVERED]
    ).values_list("pk", "showroom_id"):
        cars.setdefault(showroom_id, []).append(car_id)
    for showroom in out.showrooms:
        _seed_floor_of(sizes, out, now, rng, showroom, [t for t in templates if t.showroom_id == showroom.pk],
                       items, cars.get(showroom.pk, []))
    out.readiness_template_id = next(
        t.pk for t in templates if t.showroom_id == out.showrooms[0].pk and t.kind == ChecklistKind.CONSULTANT
    )
    out.floor_days = sizes.floor_days
    _seed_thank_yous(sizes, out, now, rng)
    _seed_done_calls(sizes, out, now, rng)


def _local(showroom, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=showroom.tzinfo)


def _seed_floor_of(sizes, out, now, rng, showroom, templates, items, cars) -> None:
    manager = next(m for m in out.managers if m.showroom_id == showroom.pk)
    staff = [c for c in out.consultants if c.showroom_id == showroom.pk]
    today = timezone.localdate(now, showroom.tzinfo)
    local_now = timezone.localtime(now, showroom.tzinfo)
    days = [today - timedelta(days=n) for n in range(sizes.floor_days - 1, -1, -1)]
    slots, counts, runs, answers, sign_offs = [], [], [], [], []
    failed = []  # (answer index, run, day)
    for day in days:
        is_today = day == today
        on_duty = rng.sample(staff, min(sizes.on_duty, len(staff)))
        for position, consultant in enumerate(on_duty, start=1):
            greeted = rng.randint(0, 4)
            slots.append(DutySlot(
                showroom_id=showroom.pk, day=day, consultant_id=consultant.pk, position=position, greeted=greeted,
                last_greeted_at=_local(showroom, day, 9 + position % 8, rng.randint(0, 59)) if greeted else None,
                set_by_id=manager.pk,
            ))
        for hour in range(9, 18):
            if is_today and hour >= local_now.hour:
                break
            counts.append(HeadCount(showroom_id=showroom.pk, day=day, hour=hour, parties=rng.randint(0, 6),
                                    recorded_by_id=on_duty[0].pk, recorded_at=_local(showroom, day, hour, 59)))
        opened = _local(showroom, day, 8, 30)
        if is_today and now < opened:
            continue
        subjects = []
        for template in templates:
            if template.kind == ChecklistKind.TEST_DRIVE_CAR:
                subjects += [(template, f"car:{car}", car, None) for car in cars]
            elif template.kind == ChecklistKind.CONSULTANT:
                subjects += [(template, f"user:{c.pk}", None, c.pk) for c in on_duty]
            else:
                subjects.append((template, "", None, None))
        for template, subject, car, consultant in subjects:
            done = not is_today or rng.random() < 0.5
            answered = _local(showroom, day, 8, 40 + rng.randint(0, 15))
            if template.kind == ChecklistKind.CLOSING:
                answered = _local(showroom, day, 18, 5)
                done = not is_today
            by = consultant or manager.pk
            run = ChecklistRun(
                showroom_id=showroom.pk, template_id=template.pk, day=day, car_id=car, consultant_id=consultant,
                subject=subject, completed_at=answered + timedelta(minutes=5) if done else None,
                completed_by_id=by if done else None, created_at=opened, updated_at=answered,
            )
            runs.append(run)
            if not done and (template.kind == ChecklistKind.CLOSING or rng.random() < 0.5):
                continue  # not started
            for item in items.get(template.pk, []):
                if not done and rng.random() < 0.4:
                    continue  # half-way
                answer = ChecklistAnswer(run=run, item_id=item.pk, answered_by_id=by, answered_at=answered)
                if item.answer_type == AnswerType.TEXT:
                    answer.text = "OK"
                elif item.answer_type == AnswerType.NUMBER:
                    answer.number = item.min_ok if item.min_ok is not None else 1
                    answer.passed = True
                else:
                    answer.passed = rng.random() > 0.04
                    if not answer.passed:
                        answer.note = "Not ready at opening"
                        failed.append((len(answers), run, day))
                answers.append(answer)
        if not is_today and day != today - timedelta(days=1):
            sign_offs.append(DaySignOff(
                showroom_id=showroom.pk, day=day, is_signed=True, signed_by_id=manager.pk,
                signed_at=_local(showroom, day, 18, 40), created_at=_local(showroom, day, 18, 40),
                updated_at=_local(showroom, day, 18, 40),
            ))
    _insert(DutySlot, slots)
    _insert(HeadCount, counts)
    _insert(ChecklistRun, runs)
    for answer in answers:
        answer.run_id = answer.run.pk
    _insert(ChecklistAnswer, answers)
    fixes = []
    for index, run, day in failed:
        answer = answers[index]
        still_open = rng.random() < 0.02
        fixed_at = None if still_open else answer.answered_at + timedelta(hours=rng.uniform(0.2, 30))
        fixes.append(Fix(
            showroom_id=showroom.pk, answer_id=answer.pk, opened_on=day, owner_id=run.consultant_id or manager.pk,
            description=answer.note, fixed_at=fixed_at if fixed_at and fixed_at < now else None,
            fixed_by_id=manager.pk if fixed_at and fixed_at < now else None,
            fix_note="Put right" if fixed_at and fixed_at < now else "",
            created_at=answer.answered_at, updated_at=fixed_at if fixed_at and fixed_at < now else answer.answered_at,
        ))
    _insert(Fix, fixes)
    _insert(DaySignOff, sign_offs)
    out.rows["duty slots"] = out.rows.get("duty slots", 0) + len(slots)
    out.rows["head counts"] = out.rows.get("head counts", 0) + len(counts)
    out.rows["checklist runs"] = out.rows.get("checklist runs", 0) + len(runs)
    out.rows["checklist answers"] = out.rows.get("checklist answers", 0) + len(answers)
    out.rows["fixes"] = out.rows.get("fixes", 0) + len(fixes)
    _seed_appointments(sizes, out, now, rng, showroom, staff, manager, days)


def _seed_appointments(sizes, out, now, rng, showroom, staff, manager, days) -> None:
    """``appointments_per_day`` a day: kept ones linked to a walk-in of the customer that day
    (today: those whose visit is in the register), some cancelled, the rest missed or still
    to come."""
    start = _local(showroom, days[0], 0)
    walk_ins = {}
    for visit_id, customer_id, arrived in Visit.objects.filter(
        showroom=showroom, channel=Channel.WALK_IN, customer__isnull=False, arrived_at__gte=start
    ).values_list("pk", "customer_id", "arrived_at"):
        walk_ins.setdefault(timezone.localdate(arrived, showroom.tzinfo), []).append((visit_id, customer_id, arrived))
    customers = list(Customer.objects.filter(showroom=showroom).exclude(mobile="").values_list("pk", flat=True)[:5000])
    purposes = AppointmentPurpose.values
    rows = []
    for day in days:
        kept = rng.sample(walk_ins.get(day, []), min(len(walk_ins.get(day, [])), sizes.appointments_per_day * 2 // 3))
        for visit_id, customer_id, arrived in kept:
            rows.append(Appointment(
                showroom_id=showroom.pk, customer_id=customer_id, consultant_id=rng.choice(staff).pk,
                scheduled_at=arrived - timedelta(minutes=rng.randint(0, 20)), purpose=rng.choice(purposes),
                visit_id=visit_id, created_by_id=manager.pk, created_at=arrived - timedelta(days=2),
                updated_at=arrived,
            ))
        for n in range(sizes.appointments_per_day - len(kept)):
            scheduled = _local(showroom, day, 9 + n % 9, 30)
            rows.append(Appointment(
                showroom_id=showroom.pk, customer_id=rng.choice(customers), consultant_id=rng.choice(staff).pk,
                scheduled_at=scheduled, purpose=rng.choice(purposes), notes="Asked for a call the day before",
                cancelled_at=scheduled - timedelta(hours=5) if n % 4 == 0 else None, created_by_id=manager.pk,
                created_at=scheduled - timedelta(days=3), updated_at=scheduled - timedelta(days=3),
            ))
    _insert(Appointment, rows)
    out.rows["appointments"] = out.rows.get("appointments", 0) + len(rows)


def _seed_thank_yous(sizes, out, now, rng) -> None:
    """The thank-you SMS of the visits of the last ``floor_days`` days, under the key the
    compliance figures look for (one per customer and day; one in twenty sent late)."""
    start = now - timedelta(days=sizes.floor_days)
    tz = {s.pk: s.tzinfo for s in out.showrooms}
    seen, rows = set(), []
    for showroom_id, customer_id, left in Visit.objects.filter(
        left_at__gte=start, customer__isnull=False, customer__sms_consent=True
    ).exclude(customer__mobile="").values_list("showroom_id", "customer_id", "left_at"):
        key = f"{Reminder.Kind.THANK_YOU_VISIT}:customer:{customer_id}:{timezone.localdate(left, tz[showroom_id])}"
        if key in seen:
            continue
        seen.add(key)
        due = left + timedelta(minutes=90)
        sent = due + timedelta(minutes=45 if len(rows) % 20 == 0 else rng.uniform(0, 2))
        if sent > now:
            continue
        rows.append(Reminder(
            showroom_id=showroom_id, customer_id=customer_id, kind=Reminder.Kind.THANK_YOU_VISIT,
            channel=Reminder.Channel.SMS, due_at=due, status=Reminder.Status.SENT, attempts=1, sent_at=sent,
            idempotency_key=key, body="【Bench】感谢您今天光临展厅。", created_at=left, updated_at=sent,
        ))
    _insert(Reminder, rows)
    out.rows["reminders"] += len(rows)


def _seed_done_calls(sizes, out, now, rng) -> None:
    """Follow-up calls due over the last ``floor_days`` days and done: most by the end of the
    next day, one in eight later."""
    owned = Customer.objects.filter(owner__isnull=False).exclude(mobile="").values_list("pk", "showroom_id", "owner_id")
    rows = []
    for n, (customer_id, showroom_id, owner_id) in enumerate(owned[: sizes.customers // 3]):
        due = now - timedelta(days=rng.uniform(1, sizes.floor_days))
        done = due + timedelta(days=rng.uniform(2.5, 5) if n % 8 == 0 else rng.uniform(0, 0.5))
        rows.append(Reminder(
            showroom_id=showroom_id, customer_id=customer_id, kind=Reminder.Kind.FOLLOW_UP_CALL,
            channel=Reminder.Channel.CALL, due_at=due, status=Reminder.Status.DONE, outcome=Reminder.Outcome.REACHED,
            done_at=min(done, now), done_by_id=owner_id, idempotency_key=f"bench:done-call:{n}",
            created_at=due - timedelta(days=7), updated_at=min(done, now),
        ))
    _insert(Reminder, rows)
    out.rows["calls"] += len(rows)


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


def _seed_test_drives(out, now, rng, customers) -> None:
    """The test-drive fleet of every showroom (a fleet record per test-drive stock car, one
    route) and its bookings: three one-hour slots a day per car over the last 30 days (done)
    and the next 7 (booked), never overlapping, for the booking calendar."""
    from testdrive.models import Booking, BookingStatus, FleetCar, Route

    # Not the long-timeline customer: their page is measured as after a typical visit (with
    # every panel filled it takes 13 queries, over the budget: a known gap, see README, Performance).
    by_showroom = {}
    for c in customers:
        if c.owner_id and c.pk != out.long_timeline_customer.pk:
            by_showroom.setdefault(c.showroom_id, []).append(c)
    fleet, routes = [], {}
    cars = dict(StockCar.objects.filter(showroom__in=out.showrooms, is_test_drive=True).exclude(
        status__in=[StockStatus.SOLD, StockStatus.DELIVERED]
    ).values_list("pk", "showroom_id"))
    for car_id in cars:
        fleet.append(FleetCar(car_id=car_id, insurance_expires_on=(now + timedelta(days=300)).date(),
                              bay=f"TD-{car_id}", created_at=now, updated_at=now))
    fleet = _insert(FleetCar, fleet)
    for showroom in out.showrooms:
        (routes[showroom.pk],) = _insert(Route, [Route(showroom_id=showroom.pk, name="City loop", created_at=now,
                                                       updated_at=now)])
    bookings = []
    for f in fleet:
        showroom = next(s for s in out.showrooms if s.pk == cars[f.car_id])
        pool = by_showroom.get(showroom.pk) or []
        if not pool:
            continue
        today = timezone.localdate(now, showroom.tzinfo)
        for offset in range(-30, 8):
            day = today + timedelta(days=offset)
            for hour in (10, 13, 15):
                start = datetime.combine(day, time(hour), tzinfo=showroom.tzinfo)
                customer = pool[rng.randrange(len(pool))]
                bookings.append(Booking(
                    showroom_id=showroom.pk, car_id=f.pk, customer_id=customer.pk, consultant_id=customer.owner_id,
                    route_id=routes[showroom.pk].pk, starts_at=start, ends_at=start + timedelta(hours=1),
                    created_by_id=customer.owner_id,
                    status=BookingStatus.BOOKED,
                    created_at=start - timedelta(days=2), updated_at=start,
                ))
    _insert(Booking, bookings)
