"""Load demo data: one showroom, its staff (one per role, three consultants), a few customers,
the vehicle catalog with the showroom's price lists and stock (``_democatalog``), the test
drives (``testdrive.demo``) and the last 30 days on the floor with the daily checklists
(``_demohistory``).

Idempotent: running it again changes nothing that is already there.
"""

from datetime import timedelta

import time_machine
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from dealership.management.commands._democatalog import demo_catalog_load
from dealership.management.commands._demohistory import HISTORY_DAYS, seed_history
from dealership.models import Showroom, User
from dealership.roles import Role
from followup.models import Reminder, SmsTemplate
from followup.services import DEFAULT_BODIES, reminder_send, reminders_claim_due
from leads.mobile import parse_mobile
from leads.models import Customer, Grade, ProspectingPlan, Source
from leads.services import customer_set_source, prospecting_plan_save, showroom_setup
from showroom.models import Channel, Visit
from showroom.services import visit_close, visit_create
from testdrive.demo import seed_testdrive_demo

DEMO_PASSWORD = "demo-pass-2026"

STAFF = [
    # username, first name, last name, role, mobile
    ("manager", "Wei", "Wang", Role.SALES_MANAGER, "13800138001"),
    ("li", "Na", "Li", Role.SALES_CONSULTANT, "13800138002"),
    ("zhao", "Lei", "Zhao", Role.SALES_CONSULTANT, "13800138003"),
    ("qian", "Hao", "Qian", Role.SALES_CONSULTANT, "13800138006"),
    ("drive", "Jun", "Chen", Role.TEST_DRIVE_SPECIALIST, "13800138004"),
    ("care", "Min", "Liu", Role.CUSTOMER_CARE, "13800138005"),
    ("admin", "Admin", "", Role.ADMIN, ""),
]

CUSTOMERS = [
    # owner, name, mobile, grade, source, days ago
    ("li", "张伟", "13912345601", Grade.A, Source.WALK_IN, 3),
    ("li", "王芳", "13912345602", Grade.H, Source.PHONE_IN, 1),
    ("li", "Chen Jie", "13912345603", Grade.B, Source.AUTO_SHOW, 12),
    ("zhao", "刘洋", "13912345604", Grade.C, Source.REFERRAL, 20),
    ("zhao", "赵敏", "13912345605", Grade.A, Source.WALK_IN, 5),
    # Their follow-up calls (grade cadence from the visit) fall due today: li's call list.
    ("li", "孙丽", "13912345606", Grade.B, Source.WALK_IN, 7),
    ("li", "周杰", "13912345607", Grade.H, Source.EVENT, 2),
]


# The catalog model each demo customer came to see (their visit's model of interest).
MODEL_OF_INTEREST = {
    "13912345601": "X5 EV 2026",
    "13912345602": "Aria Hybrid 2026",
    "13912345603": "S7 2026",
    "13912345604": "Terra 2.0T 2026",
    "13912345605": "M8 2026",
    "13912345606": "Volta 1.5 2026",
    "13912345607": "X5 EREV 2026",
}
# 刘洋 came on 张伟's recommendation.
REFERRED_BY = {"13912345604": "13912345601"}

# Owners: (consultant, name, mobile, car age in years, and days, vehicle, plate).
DEMO_OWNERS = [
    ("li", "黄磊", "13912345611", 3, 10, "Nordwind Aria 1.8 (2022)", "沪A12345"),
    ("li", "吴静", "13912345612", 4, 40, "Nordwind Terra 2.0T (2021)", "沪B 67890"),
    ("zhao", "郑强", "13912345613", 5, 100, "Nordwind Aria 1.8 (2020)", "浙A·55555"),
    ("zhao", "Lin Hui", "13912345614", 1, 0, "Qingshan S7 (2024)", "沪C24680"),  # too new for the list
]


# Two customers' needs analyses (5W2H), so their customer page shows one.
DEMO_NEEDS = {
    "13912345601": {  # 张伟, li's A-grade walk-in
        "fields": {
            "buyer": "张伟",
            "decision_maker": "张伟和太太一起决定",
            "influencers": "太太；岳父开增程 SUV",
            "timeframe": "15d",
            "purchase_place": "还在比较本店和闵行的另一家经销商",
            "heard_from": "抖音短视频",
            "features_wanted": "7 座、快充、高速辅助驾驶，后排能放两个安全座椅",
            "competitor_models": "Yunhai Q7 增程版",
            "main_use": "family",
            "needs": "二胎家庭，周末带老人孩子出游，工作日通勤 40 km",
            "payment": "loan",
            "trade_in": True,
            "trade_in_vehicle": "2017 款紧凑型轿车 1.6L，9.8 万公里",
            "budget_min": 250000,
            "budget_max": 280000,
        },
        "models": ["X5 EV 2026"],
        "trims": ["qs-x5ev-max7"],
    },
    "13912345602": {  # 王芳, li's H-grade phone-in
        "fields": {
            "buyer": "王芳",
            "decision_maker": "王芳",
            "timeframe": "7d",
            "purchase_place": "本店",
            "heard_from": "朋友推荐",
            "features_wanted": "Low fuel use, easy to park, a quiet cabin",
            "competitor_models": "Kestrel Hybrid sedan",
            "main_use": "commute",
            "needs": "Commutes 60 km a day to Zhangjiang; wants to spend less on fuel.",
            "payment": "cash",
            "budget_min": 160000,
            "budget_max": 190000,
        },
        "models": ["Aria Hybrid 2026"],
        "trims": ["nw-ariahy-comfort", "nw-ariahy-luxury"],
    },
    "13912345607": {  # 周杰, li's H-grade event visitor: back today on an appointment, mid-walkaround
        "fields": {
            "buyer": "周杰",
            "decision_maker": "周杰和太太",
            "timeframe": "7d",
            "purchase_place": "本店",
            "heard_from": "周末试驾活动",
            "features_wanted": "增程、长续航，周末带父母回老家（单程 400 km）",
            "competitor_models": "Yunhai Q7 增程版",
            "main_use": "family",
            "needs": "家里第二台车，要能跑长途，城市里尽量用电",
            "payment": "loan",
            "budget_min": 200000,
            "budget_max": 240000,
        },
        "models": ["X5 EREV 2026"],
        "trims": ["qs-x5erev-pro", "qs-x5erev-max"],
    },
}


# 张伟's walkaround of the X5 EV during his visit: (position, interest, note) per position.
DEMO_WALKAROUND = (
    "13912345601",
    [
        (1, "some", ""),
        (2, "some", "问了侧面碰撞成绩"),
        (3, "high", "婴儿车放进后备厢试了，很满意"),
        (4, "high", "太太坐了第三排，觉得够用"),
        (5, "some", ""),
        (6, "none", "对快充更关心，不在乎加速"),
    ],
)


# This month's targets per source: (new customers, visits).
DEMO_PLAN = {
    Source.WALK_IN: (20, 60),
    Source.PHONE_IN: (10, 15),
    Source.AUTO_SHOW: (15, 20),
    Source.REFERRAL: (5, 8),
    Source.EVENT: (8, 12),
    Source.OWNER: (4, 6),
}


class Command(BaseCommand):
    help = "Load the demo showroom, staff, customers, catalog and 30 days of history (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--history-days", type=int, default=HISTORY_DAYS,
            help=f"days of floor and checklist history before today (default {HISTORY_DAYS}; 0: today only)",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        showroom, _created = Showroom.objects.get_or_create(
            name="Demo Motors Pudong",
            defaults={"timezone": "Asia/Shanghai", "sms_signature": "Demo Motors"},
        )
        showroom_setup(showroom=showroom)  # lost reasons, lead sources
        users = {}
        hashed = None  # one hash for the shared demo password: each takes a second to compute
        for username, first, last, role, mobile in STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=first, last_name=last, mobile=mobile)
                user.password = hashed = hashed or make_password(DEMO_PASSWORD)
                if role == Role.ADMIN:
                    user.is_staff = user.is_superuser = True
                else:
                    user.showroom = showroom
                user.save()
                user.groups.add(Group.objects.get_or_create(name=role.value)[0])
                self.stdout.write(f"created user {username}")
            users[username] = user

        for kind, bodies in DEFAULT_BODIES.items():
            for language, body in bodies.items():
                SmsTemplate.objects.get_or_create(
                    showroom=showroom, kind=kind, language=language, defaults={"body": body}
                )

        now = timezone.now()
        catalog = demo_catalog_load(
            showroom=showroom, today=timezone.localdate(now, showroom.tzinfo), by=users["admin"]
        )
        for kind, count in catalog.created.items():
            self.stdout.write(f"created {count} {kind}")
        for owner, name, mobile, grade, source, days_ago in CUSTOMERS:
            number = parse_mobile(mobile)
            if Customer.objects.filter(showroom=showroom, mobile=number).exists():
                continue
            arrived = now - timedelta(days=days_ago, hours=2)
            left = arrived + timedelta(minutes=50)
            referral = {}
            if mobile in REFERRED_BY:  # a referral names its referrer, a demo customer seeded before
                referral["referred_by_customer"] = Customer.objects.get(
                    showroom=showroom, mobile=parse_mobile(REFERRED_BY[mobile])
                )
            # Replay the history at the moments it happened, through the real services.
            with time_machine.travel(arrived, tick=False):
                result = visit_create(
                    showroom=showroom,
                    consultant=users[owner],
                    by=users[owner],
                    channel=Channel.WALK_IN if source != Source.PHONE_IN else Channel.PHONE_IN,
                    arrived_at=arrived,
                    party_size=2,
                    mobile=number,
                    name=name,
                    source=source,
                    grade=grade,
                    sms_consent=True,
                    vehicle_model=catalog.models[MODEL_OF_INTEREST[mobile]],
                    **referral,
                )
            with time_machine.travel(left + timedelta(minutes=3), tick=False):
                visit_close(visit=result.visit, left_at=left, by=users[owner])
            # The thank-you SMS went out when it was due (to an in-memory outbox, not a phone).
            for reminder in Reminder.objects.filter(customer=result.customer, channel=Reminder.Channel.SMS):
                with (
                    time_machine.travel(reminder.due_at, tick=False),
                    override_settings(SMS_BACKEND="followup.sms.locmem.LocmemBackend"),
                ):
                    ids, token = reminders_claim_due()
                    for reminder_id in ids:
                        reminder_send(reminder_id=reminder_id, token=token)
        # A demo database seeded before a referral had to name its referrer: name it now.
        for referred_mobile, referrer_mobile in REFERRED_BY.items():
            referred = Customer.objects.filter(showroom=showroom, mobile=parse_mobile(referred_mobile)).first()
            referrer = Customer.objects.filter(showroom=showroom, mobile=parse_mobile(referrer_mobile)).first()
            if referred and referrer and referred.referred_by_customer_id is None:
                customer_set_source(customer=referred, source=Source.REFERRAL, referred_by_customer=referrer,
                                    by=users["manager"])
        # This month's prospecting plan, so the plan-against-actual page shows figures.
        month = timezone.localdate(now, showroom.tzinfo).replace(day=1)
        if not ProspectingPlan.objects.filter(showroom=showroom, month=month).exists():
            prospecting_plan_save(
                showroom=showroom,
                month=month,
                targets=DEMO_PLAN,
                by=users["manager"],
            )
        self._owners(showroom, users, now)
        self._needs(showroom, users, catalog)
        self._walkaround(showroom, catalog)
        seed_testdrive_demo(showroom)  # fleet, routes, agreements, past drives (testdrive/demo.py)
        # The last 30 days on the floor and today so far: duty, visits, SMS, calls, head counts,
        # appointments, checklists and sign-offs (_demohistory.py); the anonymous walk-in too.
        with override_settings(DEBUG=False):  # no query log: thousands of queries replayed
            events = seed_history(showroom=showroom, users=users, now=now, days=max(options["history_days"], 0))
        if events:
            self.stdout.write(f"replayed {events} events of the floor and the checklists")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: showroom '{showroom.name}', logins use password '{DEMO_PASSWORD}'."
            )
        )

    def _needs(self, showroom, users, catalog):
        """The needs analyses of DEMO_NEEDS, for customers who have none yet, written by their
        consultant through the needs service (history record and timeline entry)."""
        from showroom.models import NeedsAnalysis
        from showroom.needs import needs_save

        for mobile, spec in DEMO_NEEDS.items():
            customer = Customer.objects.filter(showroom=showroom, mobile=parse_mobile(mobile)).first()
            if customer is None or NeedsAnalysis.objects.filter(customer=customer).exists():
                continue
            data = {
                **spec["fields"],
                "models_of_interest": [catalog.models[name] for name in spec["models"]],
                "trims_of_interest": [catalog.trims[code] for code in spec["trims"]],
            }
            # Recorded during the customer's first visit, before the walkaround.
            visit = customer.visits.order_by("arrived_at").first()
            moment = visit.arrived_at + timedelta(minutes=10) if visit else timezone.now()
            with time_machine.travel(moment, tick=False):
                needs_save(customer=customer, data=data, by=customer.owner or users["manager"])

    def _walkaround(self, showroom, catalog):
        """DEMO_WALKAROUND, recorded half-way through the visit by its consultant through the
        walkaround services (timeline entry at the end), unless the visit has one already."""
        from showroom.models import Presentation, SellingPoint
        from showroom.walkaround import presentation_finish, presentation_point_save, presentation_start

        mobile, positions = DEMO_WALKAROUND
        visit = Visit.objects.filter(showroom=showroom, customer__mobile=parse_mobile(mobile)).select_related(
            "consultant", "vehicle_model"
        ).order_by("arrived_at").first()
        if visit is None or visit.vehicle_model is None or Presentation.objects.filter(visit=visit).exists():
            return
        by = visit.consultant
        with time_machine.travel(visit.arrived_at + timedelta(minutes=15), tick=False):
            presentation, _new = presentation_start(visit=visit, vehicle_model=visit.vehicle_model, by=by)
        for minutes, (position, interest, note) in enumerate(positions, start=16):
            points = SellingPoint.objects.filter(vehicle_model=visit.vehicle_model, position=position)
            with time_machine.travel(visit.arrived_at + timedelta(minutes=2 * minutes), tick=False):
                presentation_point_save(presentation=presentation, position=position, presented=True,
                                        selling_points=points, interest=interest, note=note, by=by)
        with time_machine.travel(visit.arrived_at + timedelta(minutes=45), tick=False):
            presentation_finish(presentation=presentation, by=by, notes="想下周带太太来试驾 7 座版")

    def _owners(self, showroom, users, now):
        """Owners (grade D) whose car is 3 to 5 years old: the replacement-opportunities page."""
        from leads.selectors import years_before
        from leads.services import customer_create, customer_set_owner_car

        today = timezone.localdate(now, showroom.tzinfo)
        for owner, name, mobile, years, days, vehicle, plate in DEMO_OWNERS:
            number = parse_mobile(mobile)
            if Customer.objects.filter(showroom=showroom, mobile=number).exists():
                continue
            customer = customer_create(
                showroom=showroom, by=users["manager"], owner=users[owner], mobile=number, name=name,
                source=Source.OWNER, grade=Grade.D, sms_consent=True,
            )
            customer_set_owner_car(
                customer=customer, by=users["manager"], vehicle=vehicle, plate=plate,
                purchase_date=years_before(today, years) - timedelta(days=days),
            )
