"""Demo data for the test drive (called by ``manage.py seed_demo``): the fleet records of the
demo's test-drive cars, two routes with segments and maps, the agreement in English and
Chinese, and past drives replayed through the real services at the moments they happened
(daily car check, booking, licence, signature, drive, survey, registration). Idempotent."""

import base64
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from dealership.models import User
from leads.mobile import parse_mobile
from leads.models import Customer
from showroom.models import AnswerType, ChecklistKind, ChecklistRun, StockCar, Visit
from testdrive import services
from testdrive.models import AgreementTemplate, Booking, Feature, FleetCar, Route, RouteSegment
from testdrive.selectors import last_odometer, showroom_today

F = Feature

ROUTES = [
    # name, hand-over point, description, segments (name, km, minutes, shows, what to point out)
    ("滨江环线 Riverside loop", "2号门外临时停车区 · Gate 2 lay-by",
     "Quiet riverside roads, a speed bump lane and the park bends; back through the service entrance.", [
         ("Showroom → Gate 2 (consultant drives)", "0.8", 3, [], "Explain the controls; the customer watches."),
         ("滨江大道 straight", "2.4", 4, [F.ACCELERATION, F.NOISE], "Full pedal from 30 to 70 km/h; windows up."),
         ("Park bends", "1.6", 4, [F.CORNERING, F.COMFORT], "Steering weight, body roll, rear-seat comfort."),
         ("Speed-bump lane", "0.6", 2, [F.COMFORT, F.BRAKING], "Suspension over bumps, a firm stop at the end."),
         ("Back to the showroom, park in bay TD", "1.1", 3, [F.PARKING, F.ASSISTANCE], "360° camera, auto park."),
     ]),
    ("高架快线 Elevated express", "加油站出口 · Petrol-station exit",
     "The elevated road for motorway speed (never above 80 km/h) and the ramp for a hill start.", [
         ("Showroom → petrol station (consultant drives)", "1.2", 4, [], ""),
         ("On-ramp", "0.7", 2, [F.ACCELERATION, F.HILL], "Merge at 60–80 km/h; hill hold on the ramp."),
         ("Elevated road", "5.5", 7, [F.NOISE, F.ASSISTANCE], "Wind noise at 80 km/h, adaptive cruise, lane keeping."),
         ("Exit and back", "2.3", 5, [F.BRAKING, F.PARKING], ""),
     ]),
]

AGREEMENTS = {
    "en": ("Test-drive agreement",
           "I take part in this test ride and drive at my own wish. I hold the driving licence shown to the "
           "consultant, I am not under the influence of alcohol or medicine, and I follow the consultant's "
           "instructions at all times. The consultant may end the drive or continue it as a ride-along at any "
           "point. I am liable for damage and fines caused by breaking the rules below or the traffic law."),
    "zh-hans": ("试乘试驾协议书",
                "本人自愿参加本次试乘试驾活动。本人持有已向销售顾问出示的有效驾驶证，未饮酒、未服用影响驾驶的药物，"
                "并始终听从销售顾问的指引。销售顾问可随时终止试驾或改为试乘。因违反下列规则或交通法规造成的损失和罚款，"
                "由本人承担。"),
}

# mobile, consultant, days ago, start (hh, mm), mode, licence (years held; 0 = new driver), km,
# minutes, likelihood, ratings {aspect: (rating, comment)}, comments, switch reason, minutes to register
PAST_DRIVES = [
    ("13912345601", "li", 3, (10, 40), "drive", 8, 11, 22, 4,
     {"acceleration": (5, "提速很快"), "quietness": (5, ""), "comfort": (4, "减速带有点硬"), "technology": (4, "")},
     "想再试一下7座版", "", 6),
    ("13912345602", "li", 1, (14, 30), "ride_along", 0, 8, 16, 5,
     {"comfort": (5, "后排很舒服"), "interior": (5, ""), "consultant": (5, "讲解很清楚")},
     "刚拿驾照，下次想自己开", "", 4),
    ("13912345605", "zhao", 5, (15, 10), "drive", 3, 9, 20, 3,
     {"acceleration": (4, ""), "handling": (3, "方向盘偏轻"), "braking": (4, "")},
     "", "在滨江大道超速到 95 km/h，顾问接手", 25),
]
UPCOMING = ("13912345603", "li", 1, (10, 30))  # Chen Jie's booking tomorrow


def _png(draw, size=(640, 400), background=(236, 241, 236)) -> bytes:
    image = Image.new("RGB", size, background)
    draw(ImageDraw.Draw(image))
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _map(n_segments: int) -> bytes:
    def draw(pen):
        points = [(60 + i * (520 // max(n_segments, 1)), 320 - (i % 2) * 180 - i * 12) for i in range(n_segments + 1)]
        pen.line([*points, points[0]], fill=(30, 90, 170), width=8)
        for i, (x, y) in enumerate(points[:-1], start=1):
            pen.ellipse((x - 16, y - 16, x + 16, y + 16), fill=(255, 255, 255), outline=(30, 90, 170), width=4)
            pen.text((x - 4, y - 7), str(i), fill=(30, 30, 30))
        pen.rectangle((20, 340, 110, 385), fill=(200, 60, 60))
        pen.text((30, 355), "SHOWROOM", fill=(255, 255, 255))

    return _png(draw)


def _licence_photo() -> SimpleUploadedFile:
    def draw(pen):
        pen.rectangle((20, 20, 620, 380), outline=(40, 40, 120), width=6)
        pen.text((50, 50), "DEMO DRIVING LICENCE - NOT A REAL DOCUMENT", fill=(40, 40, 120))
        pen.rectangle((50, 100, 200, 300), fill=(180, 190, 210))

    return SimpleUploadedFile("licence.png", _png(draw, background=(250, 246, 232)))


def _signature() -> str:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(40, 140), (120, 60), (180, 150), (260, 50), (340, 140), (560, 90)],
                               fill=(20, 20, 60, 255), width=5)
    out = BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _fleet(showroom, today) -> list[FleetCar]:
    cars = []
    stock = StockCar.objects.filter(showroom=showroom, is_test_drive=True).order_by("plate", "pk")
    for n, car in enumerate(stock, start=1):
        expires = today - timedelta(days=3) if n == len(stock) and n > 1 else today + timedelta(days=240 - n * 30)
        fleet, _created = FleetCar.objects.get_or_create(
            car=car,
            defaults={
                "insurer": "中国人保 PICC", "insurance_policy": f"PDAA2026310000{n:04d}", "insurance_expires_on": expires,
                "registered_on": today - timedelta(days=200), "bay": f"TD-{n}",
                "notes": "Insurance renewal sent to the insurer; the car stays in until it is back."
                if expires < today else "",
            },
        )
        cars.append(fleet)
    return cars


def _routes(showroom) -> list[Route]:
    routes = []
    for position, (name, handover, description, segments) in enumerate(ROUTES):
        route, created = Route.objects.get_or_create(
            showroom=showroom, name=name,
            defaults={"handover_point": handover, "description": description, "position": position},
        )
        if created:
            for n, (segment, km, minutes, shows, notes) in enumerate(segments, start=1):
                RouteSegment.objects.create(route=route, position=n, name=segment, distance_km=Decimal(km),
                                            expected_minutes=minutes, shows=list(shows), notes=notes)
            route.map_image.save("map.png", ContentFile(_map(len(segments))))
        routes.append(route)
    return routes


def _check_cars(showroom, day, cars, by) -> None:
    """The test-drive specialist's morning check of ``cars`` on ``day`` (the car checklist
    only, through the checklist services): every item passes. A run someone has started
    answering is left alone."""
    from showroom.checklists import checklist_answer_save, checklist_run_complete
    from showroom.models import ChecklistTemplate

    templates = list(ChecklistTemplate.objects.filter(showroom=showroom, kind=ChecklistKind.TEST_DRIVE_CAR, is_active=True))
    moment = min(datetime.combine(day, showroom.opens_at, tzinfo=showroom.tzinfo) + timedelta(minutes=10), timezone.now())
    with time_machine.travel(moment, tick=False):
        for template in templates:
            for car in cars:
                run, _new = ChecklistRun.objects.get_or_create(
                    template=template, day=day, subject=f"car:{car.car_id}", defaults={"showroom": showroom, "car": car.car}
                )
                if run.completed_at is not None or run.answers.exists():
                    continue
                for item in template.items.filter(is_active=True):
                    values = {"passed": True}
                    if item.answer_type == AnswerType.NUMBER:
                        values = {"number": item.min_ok if item.min_ok is not None else (item.max_ok or Decimal(1))}
                    elif item.answer_type == AnswerType.TEXT:
                        values = {"text": "OK"}
                    checklist_answer_save(run=run, item=item, by=by, **values)
                checklist_run_complete(run=run, by=by)


def _past_drive(showroom, spec, car, route, users, today) -> None:
    mobile, owner, days_ago, (hh, mm), mode, years, km, minutes, likelihood, ratings, comments, switch, register = spec
    customer = Customer.objects.filter(showroom=showroom, mobile=parse_mobile(mobile)).first()
    if customer is None or Booking.objects.filter(customer=customer).exists():
        return
    by = users[owner]
    day = today - timedelta(days=days_ago)
    start = datetime.combine(day, time(hh, mm), tzinfo=showroom.tzinfo)
    visit = Visit.objects.filter(customer=customer, showroom=showroom).order_by("-arrived_at").first()
    _check_cars(showroom, day, [car], users.get("drive") or by)
    with time_machine.travel(start - timedelta(minutes=10), tick=False):
        booking = services.booking_walk_in(car=car, customer=customer, consultant=by, by=by, route=route, visit=visit)
        issued = day.replace(year=day.year - years) if years else day - timedelta(days=120)
        services.licence_check_save(
            booking=booking, has_licence=True, number=f"3101011990{mobile[-8:]}", licence_class="C1",
            issued_on=issued, expires_on=issued.replace(year=issued.year + 10), photo=_licence_photo(), by=by,
        )
        template = services.agreement_template_for(showroom=showroom, language=customer.language)
        services.agreement_sign(booking=booking, template=template, signature=_signature(), by=by)
    reading = last_odometer(car)
    last = reading[0] if reading else 3_000 + 1_700 * (car.pk % 5)  # the odometer goes on from the last drive
    with time_machine.travel(start, tick=False):
        drive, _new = services.drive_start(booking=booking, mode=mode, odometer=last, by=by, at=start)
    if mode == "drive":
        with time_machine.travel(start + timedelta(minutes=4), tick=False):
            services.drive_handover(drive=drive, odometer=last + 1, by=by)
        if switch:
            with time_machine.travel(start + timedelta(minutes=9), tick=False):
                services.drive_switch_to_ride_along(drive=drive, reason=switch, by=by)
    end = start + timedelta(minutes=minutes)
    with time_machine.travel(end, tick=False):
        services.drive_end(drive=drive, odometer=last + km, by=by)
    with time_machine.travel(end + timedelta(minutes=3), tick=False):
        services.survey_submit(drive=drive, likelihood=likelihood, ratings=ratings, comments=comments, by=by)
    left = end + timedelta(minutes=8)
    with time_machine.travel(left + timedelta(minutes=register), tick=False):
        services.drive_register(drive=drive, customer_left_at=left, by=by, notes=comments)


def seed_testdrive_demo(showroom) -> None:
    """Fleet, routes, agreements, three past drives with surveys and one booking tomorrow."""
    now = timezone.now()
    today = showroom_today(showroom, now)
    users = {u.username: u for u in User.objects.filter(showroom=showroom)}
    cars = _fleet(showroom, today)
    routes = _routes(showroom)
    for language, (title, body) in AGREEMENTS.items():
        AgreementTemplate.objects.get_or_create(showroom=showroom, language=language,
                                                defaults={"title": title, "body": body})
    if not cars or not routes or "li" not in users:
        return
    insured = [car for car in cars if car.insurance_expires_on and car.insurance_expires_on >= today]
    for n, spec in enumerate(sorted(PAST_DRIVES, key=lambda s: -s[2])):  # oldest first: odometers go up
        _past_drive(showroom, spec, insured[n % len(insured)], routes[n % len(routes)], users, today)
    mobile, owner, days, (hh, mm) = UPCOMING
    customer = Customer.objects.filter(showroom=showroom, mobile=parse_mobile(mobile)).first()
    if customer is not None and not Booking.objects.filter(customer=customer).exists():
        start = datetime.combine(today + timedelta(days=days), time(hh, mm), tzinfo=showroom.tzinfo)
        services.booking_create(car=insured[0], customer=customer, consultant=users[owner], by=users[owner],
                                starts_at=start, ends_at=start + timedelta(minutes=45), route=routes[0], now=now)
    # This morning's check of two cars is done; the others wait for the specialist (the calendar
    # and the fleet page say why they cannot go out).
    _check_cars(showroom, today, insured[:2], users.get("drive") or users["li"])
