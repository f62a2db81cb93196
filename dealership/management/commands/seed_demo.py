"""Load demo data: one showroom, its staff (one per role, two consultants), a few customers.

Idempotent: running it again changes nothing that is already there.
"""

from datetime import timedelta

import time_machine
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from dealership.models import Showroom, User
from dealership.roles import Role
from followup.models import Reminder, SmsTemplate
from followup.services import DEFAULT_BODIES, reminder_send, reminders_claim_due
from leads.mobile import parse_mobile
from leads.models import Customer, Grade, ProspectingPlan, Source
from leads.services import customer_set_source, prospecting_plan_save, showroom_setup
from showroom.models import Channel, Visit
from showroom.services import visit_close, visit_create

DEMO_PASSWORD = "demo-pass-2026"

STAFF = [
    # username, first name, last name, role, mobile
    ("manager", "Wei", "Wang", Role.SALES_MANAGER, "13800138001"),
    ("li", "Na", "Li", Role.SALES_CONSULTANT, "13800138002"),
    ("zhao", "Lei", "Zhao", Role.SALES_CONSULTANT, "13800138003"),
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


# Owners: (consultant, name, mobile, car age in years, and days, vehicle, plate).
DEMO_OWNERS = [
    ("li", "黄磊", "13912345611", 3, 10, "Model S", "沪A12345"),
    ("li", "吴静", "13912345612", 4, 40, "Model X", "沪B 67890"),
    ("zhao", "郑强", "13912345613", 5, 100, "Model S", "浙A·55555"),
    ("zhao", "Lin Hui", "13912345614", 1, 0, "Model Y", "沪C24680"),  # too new for the list
]


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
    help = "Load the demo showroom, staff and a few customers (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        showroom, _created = Showroom.objects.get_or_create(
            name="Demo Motors Pudong",
            defaults={"timezone": "Asia/Shanghai", "sms_signature": "Demo Motors"},
        )
        showroom_setup(showroom=showroom)  # lost reasons, lead sources
        users = {}
        for username, first, last, role, mobile in STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=first, last_name=last, mobile=mobile)
                user.set_password(DEMO_PASSWORD)
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
        for owner, name, mobile, grade, source, days_ago in CUSTOMERS:
            number = parse_mobile(mobile)
            if Customer.objects.filter(showroom=showroom, mobile=number).exists():
                continue
            arrived = now - timedelta(days=days_ago, hours=2)
            left = arrived + timedelta(minutes=50)
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
        # 刘洋 came on 张伟's recommendation.
        referred = Customer.objects.filter(showroom=showroom, mobile=parse_mobile("13912345604")).first()
        referrer = Customer.objects.filter(showroom=showroom, mobile=parse_mobile("13912345601")).first()
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
        if not Visit.objects.filter(showroom=showroom, customer__isnull=True).exists():
            visit_create(
                showroom=showroom,
                consultant=users["zhao"],
                by=users["zhao"],
                channel=Channel.WALK_IN,
                arrived_at=now - timedelta(minutes=20),
                party_size=3,
                notes="Looked at SUVs, left no number yet.",
            )
        self._owners(showroom, users, now)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: showroom '{showroom.name}', logins use password '{DEMO_PASSWORD}'."
            )
        )

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
