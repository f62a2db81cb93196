"""The demo showroom's last 30 days on the floor, for ``seed_demo`` (issue 6's "Done when"):
reception duty rosters, walk-ins and phone-ins, thank-you SMS, follow-up calls, head counts,
appointments, the daily checklists with their fails and fixes, and the manager's sign-offs —
so the board, the checklist pages and their chart, the head-count and compliance pages show
something real.

Everything is replayed through the real services at the moment it happened (time_machine), in
time order over the whole period (an event queue: a visit's close is queued when it arrives, a
thank-you SMS when the visit is closed, a call's outcome when its day begins), so every row,
history record and timeline entry is dated as if the showroom had used the CRM all month.
Nothing after ``now`` happens: today holds what has happened so far (open visits, this
morning's checks, an appointment still to come).

Idempotent per day: a day whose reception duty is set is left alone, so running the command
again changes nothing, and running it on a later day adds the days in between.

The stories in the data (all deterministic, from the day's date):
- the duty: every consultant has a weekday off, all three work weekends; the order turns daily;
- walk-ins (more at weekends) go to the consultant whose turn it is (showroom.floor), a
  customer on an appointment to their own consultant; a quarter leave no number; most visits
  are registered within minutes, some late, a few after the thank-you window closed;
- the thank-you SMS go out through the dispatcher when due, except one afternoon the worker
  was down (12 days ago, 14:00–17:00: sent late);
- follow-up calls: most done on the day, some the day after, some days late, some never;
- head counts: a door-counter figure on most weekdays, hourly counts at weekends, two days
  forgotten; often a party or two more than the walk-ins logged (the unlogged gap);
- checklists: mostly passed; drinks short or a car's charge low (passed when checked again),
  brochures or a display car (fixed the same day), a broken tablet charger (fixed three days
  later), a peeling test-drive sticker (fixed three days later), Lei Zhao not knowing lead
  times (more often at first: his pass rate improves), three readiness checks never finished;
  the test-drive car whose insurance lapsed fails its papers the next day — that fix is still
  open today — and is not checked while it stays in;
- every day is signed off after closing except yesterday (the banner on today's page); the
  day six days ago was re-opened the next morning to correct the drinks count;
- today: three appointments (one arrived and in the showroom, one no-show, one to come), two
  visitors in the showroom now (one mid-walkaround), this morning's visits closed, this
  morning's checks done but one consultant's readiness check half-way.
"""

import heapq
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from PIL import Image, ImageDraw

from dealership.models import Notification
from followup.models import Reminder
from followup.services import call_record_outcome, reminder_send, reminders_claim_due
from leads.mobile import parse_mobile
from leads.models import Customer, Grade, Source
from showroom import floor
from showroom.checklist_defaults import DEFAULT_TEMPLATES
from showroom.checklists import (
    checklist_answer_save,
    checklist_run_complete,
    checklist_runs_create,
    day_reopen,
    day_sign_off,
    fix_close,
)
from showroom.models import (
    AnswerType,
    Appointment,
    AppointmentPurpose,
    Channel,
    ChecklistKind,
    ChecklistRun,
    DutySlot,
    Fix,
    SellingPoint,
    VehicleModel,
    Visit,
)
from showroom.services import visit_close, visit_create

HISTORY_DAYS = 30
MOBILE_PREFIX = "136"  # the history's customers (+86 136…): no other demo or sample number uses it
CONSULTANTS = ("li", "zhao", "qian")
DAY_OFF = {"li": 2, "zhao": 3, "qian": 0}  # weekday (Monday 0) each consultant is off
SMS_OUTAGE = (12, time(14, 0), time(17, 5))  # days ago, worker down from … until …
REOPENED_DAYS_AGO = 6
CHARGER_DAYS_AGO, CHARGER_FIXED_DAYS_AGO = 11, 8
STICKER_DAYS_AGO, STICKER_FIXED_DAYS_AGO = 9, 6
UNFINISHED_READINESS_DAYS_AGO = (13, 20, 24)  # the second consultant on duty never finished it
NO_HEAD_COUNT_DAYS_AGO = (4, 17)  # nobody counted the parties
NO_SHOW_EVERY = 4  # one appointment in four booked in the history is not kept

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程苏魏吕丁沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉兰萍红鹏飞鑫宇浩然轩涵诺欣怡"
# Names typed in the sample import file (docs/samples) and the browser journeys: a history
# customer of the same name would make a search by name find two.
RESERVED_NAMES = {
    "周欣", "Zhou Xin", "Lin Xiaoyu", "Wang Hao", "陈静", "马超", "Liu Mei", "Gao Yan", "吴强", "郑爽",
}
PINYIN = ["Zhang Hao", "Li Mei", "Wang Lei", "Chen Yu", "Liu Ting", "Yang Fan", "Huang Jie", "Zhou Ning"]
VISIT_NOTES = [
    "", "", "", "Came with the family; the children liked the 7-seat SUV.",
    "Asked about home charging and the battery warranty.", "Comparing with a Yunhai dealer nearby.",
    "Wants a quote with a trade-in of a 2016 sedan.", "看了展车，问了贷款方案", "对比了增程和纯电的用车成本",
    "Only browsing today; took a brochure.",
]
PHONE_NOTES = [
    "Asked for this month's offers; invited to the showroom on Saturday.",
    "Asked whether the S7 is in stock in white.", "来电询问试驾预约，已邀约周末到店",
    "Asked about finance for 36 months.",
]
CALL_NOTES = [
    "Will come back on Saturday with his wife.", "Still comparing; call again next week.",
    "Waiting for the finance offer.", "Asked for the brochure by WeChat.", "已约周末试驾",
    "Busy this week; prefers a call in the evening.",
]
CLOSING_NOTES = [
    "Nothing special.", "Two deliveries tomorrow morning: delivery bay free by 09:30.",
    "Brand trainer visits at 15:00.", "Weekend promotion banners to put up.", "明天上午有团购客户来店",
    "Check the brochure stock on Monday.",
]
SIGN_OFF_NOTES = ["", "", "", "", "Good day.", "Brochures reordered.", "Busy day; all visits registered."]


# --- the event queue ------------------------------------------------------------------------


class Timeline:
    """Callbacks run in time order, each with the clock at its moment; a callback may queue
    later ones. Anything after ``until`` (now) is dropped: it has not happened yet."""

    def __init__(self, until: datetime):
        self.until = until
        self.queue: list = []
        self.order = itertools.count()
        self.demo = None

    def at(self, moment: datetime, action, *args) -> None:
        if moment <= self.until:
            heapq.heappush(self.queue, (moment, next(self.order), action, args))

    def run(self) -> int:
        done = 0
        while self.queue:
            moment, _n, action, args = heapq.heappop(self.queue)
            with time_machine.travel(moment, tick=False):
                action(self.demo, moment, *args)
            done += 1
        return done


@dataclass
class Demo:
    showroom: object
    users: dict
    now: datetime
    today: date
    timeline: Timeline
    models: list
    fleet: list = field(default_factory=list)  # FleetCar rows of the test-drive cars
    customers: list = field(default_factory=list)  # the history's customers with a mobile, oldest first
    items: dict = field(default_factory=dict)  # template pk → {English text: item}
    serial: itertools.count = field(default_factory=lambda: itertools.count(1))
    bookings: itertools.count = field(default_factory=lambda: itertools.count(1))
    names: set = field(default_factory=set)  # customers' names taken

    def at(self, day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
        return datetime.combine(day, time(hh, mm, ss), tzinfo=self.showroom.tzinfo)

    def days_ago(self, day: date) -> int:
        return (self.today - day).days

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.showroom.tzinfo)


def _photo(label: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (320, 240), (214, 220, 228))
    pen = ImageDraw.Draw(image)
    pen.rectangle((12, 12, 308, 228), outline=(180, 40, 40), width=5)
    pen.text((24, 110), label[:44], fill=(40, 40, 40))
    out = BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


def _round5(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 5, second=0, microsecond=0)


# --- entry point ----------------------------------------------------------------------------


def seed_history(*, showroom, users: dict, now: datetime, days: int = HISTORY_DAYS) -> int:
    """Replay the last ``days`` days and today up to ``now``; returns the events replayed."""
    from testdrive.models import FleetCar

    if any(name not in users for name in (*CONSULTANTS, "manager", "drive")):
        return 0
    today = now.astimezone(showroom.tzinfo).date()
    first = today - timedelta(days=days)
    seeded = set(DutySlot.objects.filter(showroom=showroom, day__gte=first).values_list("day", flat=True))
    todo = [first + timedelta(days=n) for n in range(days + 1) if first + timedelta(days=n) not in seeded]
    if not todo:
        return 0
    demo = Demo(
        showroom=showroom, users=users, now=now, today=today, timeline=Timeline(now),
        models=list(VehicleModel.objects.order_by("pk")),
        fleet=list(FleetCar.objects.filter(car__showroom=showroom).select_related("car").order_by("car__plate", "pk")),
        customers=list(
            Customer.objects.filter(showroom=showroom, mobile__startswith=f"+86{MOBILE_PREFIX}").order_by("pk")
        ),
    )
    demo.timeline.demo = demo
    demo.names = RESERVED_NAMES | set(Customer.objects.filter(showroom=showroom).values_list("name", flat=True))
    demo.items = _items_by_text(showroom)
    unread_before = set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True))
    for day in todo:
        _plan_day(demo, day)
    if today in todo:
        _plan_today(demo)
    demo.timeline.at(now, _dispatch_sms)  # whatever fell due just before now
    replayed = demo.timeline.run()
    # The consultants read their notifications at the time (the bell starts the demo at 0).
    for notification in Notification.objects.filter(read_at__isnull=True).exclude(pk__in=unread_before):
        notification.read_at = min(notification.created_at + timedelta(minutes=5), now)
        notification.save(update_fields=["read_at"])
    return replayed


def _items_by_text(showroom) -> dict:
    """Each template's items by their default English text (whatever language they were
    seeded in), so the stories below can name them."""
    english = {}
    for _kind, _name, items in DEFAULT_TEMPLATES:
        for spec in items:
            with translation.override("en"):
                msgid = str(spec["text"])
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    english[str(spec["text"])] = msgid
    from showroom.models import ChecklistItem

    out = {}
    for item in ChecklistItem.objects.filter(template__showroom=showroom, is_active=True):
        out.setdefault(item.template_id, {})[english.get(item.text, item.text)] = item
    return out


# --- one day --------------------------------------------------------------------------------


def _on_duty(demo: Demo, day: date) -> list:
    if day == demo.today:
        names = ["zhao", "qian", "li"]
    else:
        names = [n for n in CONSULTANTS if day.weekday() >= 5 or DAY_OFF[n] != day.weekday()]
        turn = day.toordinal() % len(names)
        names = names[turn:] + names[:turn]
    return [demo.users[n] for n in names]


def _plan_day(demo: Demo, day: date) -> None:
    rng = random.Random(f"demo-day-{day.isoformat()}")  # noqa: S311 — demo data
    ago = demo.days_ago(day)
    on_duty = _on_duty(demo, day)
    manager = demo.users["manager"]
    t = demo.timeline
    t.at(min(demo.at(day, 8, 20), demo.now), _duty, day, on_duty)
    t.at(demo.at(day, 8, 30), _runs_create, day)  # what Celery beat does at opening time
    t.at(demo.at(day, 8, 32), _fill, day, ChecklistKind.OPENING, on_duty[0], rng.random())
    t.at(demo.at(day, 8, 36), _fill, day, ChecklistKind.TEST_DRIVE_CAR, demo.users["drive"], rng.random())
    t.at(demo.at(day, 8, 45), _fill, day, ChecklistKind.ENVIRONMENT, manager, rng.random())
    t.at(demo.at(day, 8, 50), _fill, day, ChecklistKind.CONSULTANT, manager, rng.random())
    t.at(demo.at(day, 8, 45, 30), _calls_of_the_day, day)
    if ago == 0:
        return  # today's visits, head counts and the rest: _plan_today
    t.at(demo.at(day, 18, 2), _fill, day, ChecklistKind.CLOSING, on_duty[-1], rng.random())
    if ago >= 2:
        t.at(demo.at(day, 18, 40), _sign_off, day, rng.choice(SIGN_OFF_NOTES))
    if ago == REOPENED_DAYS_AGO:
        t.at(demo.at(day + timedelta(days=1), 8, 5), _reopen_and_correct, day)

    weekend = day.weekday() >= 5
    walk_ins = rng.randint(8, 12) if weekend else rng.randint(4, 7)
    arrivals = sorted(
        demo.at(day, 9, 30) + timedelta(minutes=rng.randint(0, 8 * 60 - 15)) for _ in range(walk_ins)
    )
    for moment in arrivals:
        roll = rng.random()
        kind = "anonymous" if roll < 0.25 else "returning" if roll < 0.37 else "new"
        t.at(moment, _arrive, {"kind": kind, "rng": random.Random(f"{day}-{moment}"), "channel": Channel.WALK_IN})
    for _ in range(rng.randint(1, 3)):
        moment = demo.at(day, 9, 40) + timedelta(minutes=rng.randint(0, 7 * 60))
        t.at(moment, _arrive, {"kind": "phone", "rng": random.Random(f"{day}-{moment}-p"), "channel": Channel.PHONE_IN})

    mode = "none" if ago in NO_HEAD_COUNT_DAYS_AGO else "hourly" if weekend or rng.random() < 0.3 else "whole"
    if mode == "hourly":
        for hour in range(9, 18):
            extra = 1 if rng.random() < 0.2 else 0
            t.at(demo.at(day, hour, 59), _head_count, day, hour, extra, on_duty[0])
    elif mode == "whole":
        t.at(demo.at(day, 18, 10), _head_count, day, None, rng.choice([0, 0, 1, 1, 2, 3]), manager)


def _plan_today(demo: Demo) -> None:
    """Today so far: this morning's closed visits (their thank-you already sent), the three
    appointments, two visitors in the showroom now, the hours counted so far."""
    day, now, t = demo.today, demo.now, demo.timeline
    rng = random.Random(f"demo-today-{day.isoformat()}")  # noqa: S311 — demo data
    start = demo.at(day, 9, 35)
    # Closed this morning: left at least 92 minutes ago, so their thank-you has gone out.
    moment = start
    for n in range(3):
        if moment + timedelta(minutes=40 + 92) > now:  # 40 min in the showroom, the SMS 90 min later
            break
        kind = "new" if n != 1 else "anonymous"
        t.at(moment, _arrive, {"kind": kind, "rng": random.Random(f"today-{n}"), "channel": Channel.WALK_IN,
                               "dwell": 40, "delay": 4})
        moment += timedelta(minutes=55)
    phone = demo.at(day, 10, 5)
    if phone + timedelta(minutes=100) < now:
        t.at(phone, _arrive, {"kind": "phone", "rng": random.Random("today-phone"), "channel": Channel.PHONE_IN,
                              "dwell": 6, "delay": 2})
    for hour in range(9, 18):
        if demo.at(day, hour, 59) < now:
            t.at(demo.at(day, hour, 59), _head_count, day, hour, 1 if hour == 10 else 0, _on_duty(demo, day)[0])
    midnight = demo.at(day, 0, 0)
    by_mobile = {str(c.mobile): c for c in Customer.objects.filter(showroom=demo.showroom)}
    booked_before = set(Appointment.objects.filter(showroom=demo.showroom).values_list("customer_id", flat=True))
    zhou, zhao_min, wang = (
        None if customer is None or customer.pk in booked_before else customer  # their story is told once
        for customer in (by_mobile.get(str(parse_mobile(m))) for m in ("13912345607", "13912345605", "13912345602"))
    )
    # 周杰 booked at his first visit two days ago; he came at the time and is mid-walkaround.
    arrived = _round5(now - timedelta(minutes=50))
    if zhou is not None and arrived > midnight:
        booked = max(zhou.created_at + timedelta(minutes=55), now - timedelta(days=2))
        t.at(booked, _book, zhou, arrived, AppointmentPurpose.VISIT, "Comes back with his wife to see the 7 seats.")
        t.at(arrived + timedelta(minutes=5), _arrive, {"kind": "appointment", "customer": zhou, "rng": rng,
                                                       "channel": Channel.WALK_IN, "stay": True, "walkaround": 3})
    # 赵敏 was to bring the deposit; not here half an hour after the time: a no-show.
    no_show = _round5(now - timedelta(minutes=95))
    if zhao_min is not None and no_show > midnight:
        t.at(demo.at(day - timedelta(days=1), 16, 0), _book, zhao_min, no_show, AppointmentPurpose.NEGOTIATION,
             "Bring the deposit; quote for the M8 comfort.")
    # 王芳 drives herself this time (she rode along yesterday): later today.
    upcoming = _round5(now + timedelta(minutes=100))
    if wang is not None and upcoming.astimezone(demo.showroom.tzinfo).date() == day:
        t.at(demo.at(day - timedelta(days=1), 15, 30), _book, wang, upcoming, AppointmentPurpose.TEST_DRIVE,
             "Wants to drive the Aria Hybrid herself.")
    # In the showroom now, besides 周杰: an anonymous party whose consultant is whoever's turn it was.
    if now - timedelta(minutes=20) > midnight:
        t.at(now - timedelta(minutes=20), _arrive, {"kind": "anonymous", "rng": rng, "channel": Channel.WALK_IN,
                                                    "stay": True, "party": 3,
                                                    "notes": "Looked at SUVs, left no number yet."})


# --- the floor ------------------------------------------------------------------------------


def _duty(demo, moment, day, consultants):
    floor.duty_set(showroom=demo.showroom, day=day, consultants=consultants, by=demo.users["manager"], now=moment)


def _name(rng) -> str:
    if rng.random() < 0.12:
        return rng.choice(PINYIN)
    if rng.random() < 0.2:
        return rng.choice(SURNAMES) + rng.choice(["先生", "女士"])
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def _new_name(demo: Demo, rng) -> str:
    """A name no customer of the showroom has yet: the demo's own customers (张伟 …) stay the
    only ones of their name."""
    name = _name(rng)
    while name in demo.names:
        name = _name(rng)
    demo.names.add(name)
    return name


def _mobile(demo: Demo, day: date) -> str:
    return f"{MOBILE_PREFIX}{day.toordinal() % 10000:04d}{next(demo.serial) % 10000:04d}"


def _receiver(demo: Demo, day: date, rng, *, prefer=None):
    """Who takes the visitor: ``prefer`` (their own consultant) when on duty and free, else the
    consultant whose turn it is; everyone busy: the first in the queue; nobody on duty: the
    manager."""
    queue = floor.duty_queue(showroom=demo.showroom, day=day)
    if prefer is not None and any(row.consultant.pk == prefer.pk and not row.busy for row in queue):
        return prefer
    nxt = next((row.consultant for row in queue if row.is_next), None)
    return nxt or (queue[0].consultant if queue else demo.users["manager"])


def _arrive(demo, moment, spec):
    rng = spec["rng"]
    day = demo.local(moment).date()
    kind, channel = spec["kind"], spec["channel"]
    values = {"vehicle_model": rng.choice(demo.models), "party_size": spec.get("party") or rng.choice([1, 1, 2, 2, 2, 3, 4])}
    if kind == "appointment":
        customer = Customer.objects.select_related("owner").get(pk=spec["customer"].pk)
        consultant = customer.owner or _receiver(demo, day, rng)
        values.update(mobile=customer.mobile, vehicle_model=_model_of_interest(customer) or values["vehicle_model"])
    elif kind == "returning":
        earlier = [c for c in demo.customers if c.created_at < moment - timedelta(days=2)]
        if not earlier:
            kind = "new"
        else:
            customer = Customer.objects.select_related("owner").get(pk=rng.choice(earlier).pk)
            consultant = _receiver(demo, day, rng, prefer=customer.owner)
            values.update(mobile=customer.mobile, vehicle_model=_model_of_interest(customer) or values["vehicle_model"])
    if kind in ("new", "phone"):
        consultant = _receiver(demo, day, rng)
        grades = [Grade.H, Grade.A, Grade.B, Grade.C]
        values.update(
            mobile=parse_mobile(_mobile(demo, day)), name=_new_name(demo, rng),
            grade=rng.choices(grades, [1, 2, 3, 3] if kind == "new" else [0, 1, 3, 4])[0],
            source=Source.PHONE_IN if kind == "phone" else rng.choice(
                [Source.WALK_IN] * 5 + [Source.ADVERTISING, Source.EVENT, Source.OUTREACH]),
            sms_consent=rng.random() < 0.85,
            notes=rng.choice(PHONE_NOTES if kind == "phone" else VISIT_NOTES),
        )
    elif kind == "anonymous":
        consultant = _receiver(demo, day, rng)
        values.update(source=Source.WALK_IN, notes=spec.get("notes", ""))
    result = visit_create(showroom=demo.showroom, consultant=consultant, by=consultant, channel=channel,
                          arrived_at=moment, **values)
    if kind in ("new", "phone"):
        demo.customers.append(result.customer)
    if spec.get("walkaround"):
        _walkaround(demo, result.visit, moment, spec["walkaround"])
    if spec.get("stay"):
        return  # still in the showroom
    dwell = spec.get("dwell") or (rng.randint(4, 12) if channel == Channel.PHONE_IN else rng.randint(20, 80))
    left = moment + timedelta(minutes=dwell)
    roll = rng.random()
    delay = spec.get("delay") or (
        rng.randint(1, 8) if roll < 0.82 else rng.randint(12, 45) if roll < 0.97 else rng.randint(130, 200)
    )
    book = kind == "new" and result.customer.grade in (Grade.H, Grade.A) and rng.random() < 0.35
    demo.timeline.at(left + timedelta(minutes=delay), _leave, result.visit, left, book, rng)


def _model_of_interest(customer):
    visit = customer.visits.exclude(vehicle_model__isnull=True).order_by("-arrived_at").first()
    return visit.vehicle_model if visit else None


def _leave(demo, moment, visit, left, book, rng):
    visit_close(visit=visit, left_at=left, by=visit.consultant)
    if visit.customer_id is None:
        return
    reminder = Reminder.objects.filter(
        customer_id=visit.customer_id, kind=Reminder.Kind.THANK_YOU_VISIT, status=Reminder.Status.PENDING
    ).order_by("due_at").first()
    if reminder is not None:
        demo.timeline.at(_dispatch_time(demo, reminder.due_at), _dispatch_sms)
    if book:  # an H or A prospect books their next visit before leaving, a few days ahead
        when = demo.at(demo.local(left).date() + timedelta(days=rng.choice([2, 3, 4])),
                       *rng.choice([(10, 30), (11, 0), (14, 0), (15, 30), (16, 0)]))
        if when.date() < demo.today:  # today's appointments are the three of _plan_today
            purpose = rng.choice([AppointmentPurpose.VISIT, AppointmentPurpose.TEST_DRIVE, AppointmentPurpose.NEGOTIATION])
            customer = visit.customer
            _book(demo, moment, customer, when, purpose, "")
            if next(demo.bookings) % NO_SHOW_EVERY:  # most come; the others are no-shows
                demo.timeline.at(when + timedelta(minutes=rng.randint(-10, 15)), _arrive, {
                    "kind": "appointment", "customer": customer, "rng": rng, "channel": Channel.WALK_IN})


def _dispatch_time(demo: Demo, due: datetime) -> datetime:
    ago, down, up = SMS_OUTAGE
    local = demo.local(due)
    if demo.days_ago(local.date()) == ago and down <= local.time() < up:
        return demo.at(local.date(), up.hour, up.minute)
    return due


def _dispatch_sms(demo, moment):
    """One run of the dispatcher (Celery beat's task), sending into the in-memory outbox."""
    with override_settings(SMS_BACKEND="followup.sms.locmem.LocmemBackend"):
        ids, token = reminders_claim_due()
        for reminder_id in ids:
            reminder_send(reminder_id=reminder_id, token=token)


def _book(demo, moment, customer, when, purpose, notes):
    customer = Customer.objects.select_related("owner").get(pk=customer.pk)
    by = customer.owner or demo.users["manager"]
    floor.appointment_book(customer=customer, scheduled_at=when, by=by, purpose=purpose, notes=notes, now=moment)


def _walkaround(demo: Demo, visit, moment, positions: int):
    from showroom.walkaround import presentation_point_save, presentation_start

    if visit.vehicle_model_id is None:
        return
    with time_machine.travel(moment + timedelta(minutes=15), tick=False):
        presentation, _new = presentation_start(visit=visit, vehicle_model=visit.vehicle_model, by=visit.consultant)
    for position in range(1, positions + 1):
        at = moment + timedelta(minutes=16 + 4 * position)
        if at > demo.now:
            break
        points = SellingPoint.objects.filter(vehicle_model=visit.vehicle_model, position=position)
        with time_machine.travel(at, tick=False):
            presentation_point_save(presentation=presentation, position=position, presented=True,
                                    selling_points=points, interest="high" if position == 3 else "some",
                                    by=visit.consultant)


def _head_count(demo, moment, day, hour, extra, by):
    """Reception counts the parties that came in: the walk-ins logged in that hour (or day)
    and ``extra`` parties nobody logged."""
    start = demo.at(day, hour) if hour is not None else demo.at(day, 0)
    end = start + (timedelta(hours=1) if hour is not None else timedelta(days=1))
    logged = Visit.objects.filter(
        showroom=demo.showroom, channel=Channel.WALK_IN, arrived_at__gte=start, arrived_at__lt=end
    ).count()
    floor.head_count_record(showroom=demo.showroom, day=day, hour=hour, parties=logged + extra, by=by, now=moment)


def _calls_of_the_day(demo, moment, day):
    """The consultants work the day's follow-up calls of the history's customers: most reached
    on the day, some no answer (retried the next working day by the service), some done the
    day after or days late, some never."""
    start, end = demo.at(day, 0), demo.at(day + timedelta(days=1), 0)
    calls = Reminder.objects.filter(
        showroom=demo.showroom, kind=Reminder.Kind.FOLLOW_UP_CALL, status=Reminder.Status.PENDING,
        due_at__gte=start, due_at__lt=end, customer__mobile__startswith=f"+86{MOBILE_PREFIX}",
    ).order_by("due_at", "pk")
    for call in calls:
        rng = random.Random(f"call-{call.pk}-{call.attempts}")  # noqa: S311 — demo data
        roll = rng.random()
        on_the_day = demo.at(day, 9, 30) + timedelta(minutes=rng.randint(0, 8 * 60))
        if roll < 0.62:
            demo.timeline.at(on_the_day, _call, call, Reminder.Outcome.REACHED, rng)
        elif roll < 0.74:
            demo.timeline.at(on_the_day, _call, call, Reminder.Outcome.NO_ANSWER, rng)
        elif roll < 0.84:
            demo.timeline.at(on_the_day + timedelta(days=1), _call, call, Reminder.Outcome.REACHED, rng)
        elif roll < 0.92:
            demo.timeline.at(on_the_day + timedelta(days=3), _call, call, Reminder.Outcome.REACHED, rng)
        elif roll < 0.94:
            demo.timeline.at(on_the_day, _call, call, Reminder.Outcome.WRONG_NUMBER, rng)
        # else: never made — overdue on the consultant's list, escalated to the manager


def _call(demo, moment, call, outcome, rng):
    call = Reminder.objects.select_related("customer__owner").get(pk=call.pk)
    by = call.customer.owner or demo.users["manager"]
    grade = ""
    if outcome == Reminder.Outcome.REACHED and rng.random() < 0.12 and call.customer.grade in "HABC":
        order = "HABC"
        grade = order[max(0, min(3, order.index(call.customer.grade) + rng.choice([-1, 1])))]
    note = rng.choice(CALL_NOTES) if outcome == Reminder.Outcome.REACHED else ""
    call_record_outcome(reminder=call, outcome=outcome, by=by, note=note, grade=grade, now=moment)


# --- checklists -----------------------------------------------------------------------------


def _runs_create(demo, moment, day):
    checklist_runs_create(showroom=demo.showroom, day=day)


@dataclass
class Answer:
    values: dict
    then: tuple | None = None  # (minutes later, "recheck" values | "fix" note, by)


def _default(item, rng) -> dict:
    if item.answer_type == AnswerType.NUMBER:
        low = item.min_ok if item.min_ok is not None else Decimal(0)
        high = item.max_ok if item.max_ok is not None else low + 2
        return {"number": min(high, low + rng.choice([1, 2]))}
    if item.answer_type == AnswerType.TEXT:
        return {"text": rng.choice(CLOSING_NOTES)}
    return {"passed": True}


def _fail(item, note, **values) -> dict:
    out = {"passed": False, "note": note, **values}
    if item.answer_type == AnswerType.NUMBER:
        out.pop("passed")
    if item.photo_on_fail:
        out["photo"] = _photo(note)
    return out


def _story(demo: Demo, run: ChecklistRun, text: str, item, rng, on_duty) -> Answer | None:
    """The day's exceptions, by item (default English text); None: the usual answer."""
    ago = demo.days_ago(run.day)
    kind = run.template.kind
    manager, drive = demo.users["manager"], demo.users["drive"]
    if kind == ChecklistKind.ENVIRONMENT:
        if text == "Kinds of drinks ready in the lounge":
            if ago == REOPENED_DAYS_AGO:
                return Answer({"number": Decimal(2), "note": "Only water and tea"})  # a typo, corrected next morning
            if rng.random() < 0.12:
                return Answer(_fail(item, "Only water and tea", number=Decimal(2)),
                              (75, "Juice and coffee brought up from the store room", manager))
        if text == "Brochure rack complete and current" and rng.random() < 0.12:
            model = rng.choice(demo.models)
            return Answer(_fail(item, f"{model.name} brochures ran out"),
                          (150, "Brochures restocked from the store room", manager))
        if text == "Display cars clean inside and out" and rng.random() < 0.07:
            return Answer(_fail(item, "Dust on the display cars after the delivery truck"),
                          (25, "Wiped down before the first customers", on_duty[0]))
        if text == "Customer lounge clean and ready" and rng.random() < 0.05:
            return Answer(_fail(item, "Coffee machine out of beans"), (15, "Beans refilled", on_duty[0]))
    elif kind == ChecklistKind.OPENING:
        if text == "Tablets charged and signed in":
            if ago == CHARGER_DAYS_AGO:
                return Answer(_fail(item, "Tablet 2's charger is broken; a new one is ordered"),
                              (60 * 24 * (CHARGER_DAYS_AGO - CHARGER_FIXED_DAYS_AGO) + 100,
                               "New charger arrived; tablet 2 charged", manager))
            if rng.random() < 0.05:
                return Answer(_fail(item, "Tablet 3 left uncharged overnight"), (50, {"passed": True}, on_duty[0]))
        if text == "Entrance, floor and glass doors clean" and rng.random() < 0.06:
            return Answer(_fail(item, "Rain marks on the glass doors"), (55, "Glass doors cleaned", on_duty[0]))
    elif kind == ChecklistKind.TEST_DRIVE_CAR:
        lapsed = _lapsed(demo, run)
        if text == "Registration and insurance papers in the car and valid" and lapsed:
            return Answer(_fail(item, f"Insurance expired on {lapsed.insurance_expires_on:%Y-%m-%d}; renewal sent "
                                      "to PICC — the car stays in until it is back"))
        if text == "Branded test-drive stickers in place" and ago == STICKER_DAYS_AGO and run.car_id == _sticker_car(demo):
            return Answer(_fail(item, "Rear sticker peeling off"),
                          (60 * 24 * (STICKER_DAYS_AGO - STICKER_FIXED_DAYS_AGO) + 420, "New sticker applied", drive))
        if text == "Fuel or charge level (quarters of a tank)" and rng.random() < 0.1:
            return Answer(_fail(item, "Below half", number=Decimal(1)),
                          (80, "Charged at the showroom's charger", drive))
    elif kind == ChecklistKind.CONSULTANT:
        who = run.consultant.username
        early = ago > 15  # Lei Zhao is new: his pass rate improves over the month
        if who == "zhao" and text == "Knows the supply lead times" and rng.random() < (0.5 if early else 0.1):
            model = rng.choice(demo.models)
            return Answer(_fail(item, f"Did not know the {model.name}'s lead time"),
                          (190, "Went through the lead-time list with the manager", run.consultant))
        if who == "zhao" and text == "Knows today's stock" and rng.random() < (0.3 if early else 0.05):
            return Answer(_fail(item, "Did not know which colours are in stock"),
                          (40, "Read through today's stock list", run.consultant))
        if who == "li" and text == "Sales folder: finance table" and rng.random() < 0.07:
            return Answer(_fail(item, "Out of finance tables"), (30, "Printed new ones", run.consultant))
        if who == "qian" and text == "Grooming and uniform, name badge on" and rng.random() < 0.12:
            return Answer(_fail(item, "Name badge missing"),
                          (12, {"passed": True, "note": "Badge from the locker"}, run.consultant))
    return None


def _lapsed(demo: Demo, run: ChecklistRun):
    """The fleet record of the run's car if its insurance lapsed the day before the run."""
    for fleet in demo.fleet:
        if fleet.car_id == run.car_id and fleet.insurance_expires_on and fleet.insurance_expires_on < run.day:
            return fleet
    return None


def _sticker_car(demo: Demo):
    insured = [f for f in demo.fleet if not f.insurance_expires_on or f.insurance_expires_on >= demo.today]
    return insured[0].car_id if insured else None


def _fill(demo, moment, day, kind, by, seed):
    """Fill the day's runs of ``kind`` item by item (by ``by``; a readiness run by the manager
    with the consultant), the day's stories included, and complete them. A run someone has
    started (the test-drive demo's checks) is left alone."""
    rng = random.Random(f"{seed}")  # noqa: S311 — demo data
    on_duty = _on_duty(demo, day)
    runs = (
        ChecklistRun.objects.filter(showroom=demo.showroom, day=day, template__kind=kind)
        .exclude(answers__isnull=False).distinct()
        .select_related("template", "consultant", "car").order_by("consultant__username", "car__plate", "pk")
    )
    ago = demo.days_ago(day)
    step = timedelta(seconds=20)
    for n, run in enumerate(runs):
        started = moment + timedelta(minutes=6 * n)
        if started > demo.now:
            return
        if kind == ChecklistKind.TEST_DRIVE_CAR and run.car_id and _stays_in(demo, run):
            continue  # the car with lapsed insurance is not checked while it stays in
        items = sorted(demo.items.get(run.template_id, {}).items(), key=lambda pair: (pair[1].position, pair[1].pk))
        unfinished = (
            kind == ChecklistKind.CONSULTANT and len(on_duty) > 1 and run.consultant_id == on_duty[1].pk
            and ago in UNFINISHED_READINESS_DAYS_AGO
        ) or (kind == ChecklistKind.CONSULTANT and ago == 0 and run.consultant.username == "li")
        if unfinished:
            items = items[: len(items) // 2 + 1]
        at = started
        for text, item in items:
            at += step
            if at > demo.now:
                return
            story = _story(demo, run, text, item, rng, on_duty)
            values = story.values if story else _default(item, rng)
            checklist_answer_save(run=run, item=item, by=by, now=at, **values)
            if story and story.then:
                minutes, follow, who = story.then
                demo.timeline.at(at + timedelta(minutes=minutes), _follow_up, run, item, follow, who)
        if not unfinished and at + step <= demo.now:
            checklist_run_complete(run=run, by=by, now=at + step)


def _stays_in(demo: Demo, run: ChecklistRun) -> bool:
    fleet = _lapsed(demo, run)
    return fleet is not None and run.day > fleet.insurance_expires_on + timedelta(days=1)


def _follow_up(demo, moment, run, item, follow, by):
    """Put a failed item right: checked again (its fix closes itself) or the fix closed with
    how it was done."""
    if isinstance(follow, dict):
        checklist_answer_save(run=run, item=item, by=by, now=moment, **follow)
        return
    fix = Fix.objects.filter(answer__run=run, answer__item=item, fixed_at__isnull=True).first()
    if fix is not None:
        fix_close(fix=fix, by=by, note=follow, now=moment)


def _sign_off(demo, moment, day, note):
    day_sign_off(showroom=demo.showroom, day=day, by=demo.users["manager"], note=note, now=moment)


def _reopen_and_correct(demo, moment, day):
    """The next morning the manager sees the drinks were miscounted: re-open, correct, sign."""
    manager = demo.users["manager"]
    if not day_reopen(showroom=demo.showroom, day=day, by=manager, now=moment,
                      reason="The drinks were counted wrong (2 instead of 4); correcting it."):
        return
    run = ChecklistRun.objects.filter(showroom=demo.showroom, day=day, template__kind=ChecklistKind.ENVIRONMENT).first()
    item = demo.items.get(run.template_id, {}).get("Kinds of drinks ready in the lounge") if run else None
    if item is not None:
        checklist_answer_save(run=run, item=item, by=manager, number=Decimal(4), note="Recounted: 4 kinds",
                              now=moment + timedelta(minutes=3))
    day_sign_off(showroom=demo.showroom, day=day, by=manager, note="Drinks count corrected.",
                 now=moment + timedelta(minutes=5))

