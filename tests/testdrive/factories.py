"""Test-drive fixtures as plain functions: a fleet car, its daily check, routes, agreement
texts, and bookings taken through the real services up to any step of the drive."""

import base64
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from showroom.models import (
    ChecklistAnswer,
    ChecklistItem,
    ChecklistKind,
    ChecklistRun,
    ChecklistTemplate,
    StockCar,
)
from showroom.vin import vin_check_digit
from testdrive import services
from testdrive.models import AgreementTemplate, Feature, FleetCar, Route, RouteSegment
from testdrive.selectors import showroom_today
from tests.factories import ColourFactory, TrimFactory


def vin(n: int) -> str:
    raw = f"LTD2A21K0R{n:07d}"
    return raw[:8] + vin_check_digit(raw) + raw[9:]


_cars = iter(range(1, 10_000_000))


def fleet_car(showroom, *, plate: str = "沪A·D0001", gearbox: str = "automatic", insured_until=None, **fleet) -> FleetCar:
    """A plated, insured test-drive car of ``showroom``, available."""
    n = next(_cars)
    trim = TrimFactory(gearbox=gearbox, vehicle_model__name=f"Aria {n}")
    stock = StockCar.objects.create(
        showroom=showroom, vin=vin(n), trim=trim, colour=ColourFactory(brand=trim.vehicle_model.series.brand),
        is_test_drive=True, plate=plate,
    )
    if insured_until is None:
        insured_until = showroom_today(showroom) + timedelta(days=200)
    return FleetCar.objects.create(car=stock, insurance_expires_on=insured_until, insurer="PICC", **fleet)


def car_template(showroom) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.filter(
        showroom=showroom, kind=ChecklistKind.TEST_DRIVE_CAR, is_active=True
    ).order_by("position", "pk").first()
    if template is None:
        template = ChecklistTemplate.objects.create(showroom=showroom, kind=ChecklistKind.TEST_DRIVE_CAR, name="Car check")
    for position, text in enumerate(("Fuel enough", "Keys present"), start=1):  # the items tests name
        ChecklistItem.objects.get_or_create(template=template, text=text, defaults={"position": position})
    return template


def daily_check(car: FleetCar, *, day: date | None = None, complete: bool = True, failed: tuple[str, ...] = ()):
    """Today's (or ``day``'s) test-drive car check of ``car``: every active item answered,
    passed except the items named in ``failed``; finished unless ``complete`` is False. Every
    active test-drive car checklist of the showroom gets its run."""
    showroom = car.car.showroom
    day = day or showroom_today(showroom)
    car_template(showroom)
    runs = []
    for template in ChecklistTemplate.objects.filter(showroom=showroom, kind=ChecklistKind.TEST_DRIVE_CAR, is_active=True):
        run, _new = ChecklistRun.objects.get_or_create(
            template=template, day=day, subject=f"car:{car.car_id}",
            defaults={"showroom": showroom, "car": car.car},
        )
        for item in template.items.filter(is_active=True):
            ChecklistAnswer.objects.update_or_create(
                run=run, item=item, defaults={"passed": item.text not in failed, "answered_at": timezone.now()}
            )
        run.completed_at = timezone.now() if complete else None
        run.save(update_fields=["completed_at"])
        runs.append(run)
    return runs


def route(showroom, name: str = "River loop", *, handover_point: str = "Gate 2 car park") -> Route:
    route = Route.objects.create(showroom=showroom, name=name, handover_point=handover_point)
    RouteSegment.objects.create(route=route, position=1, name="Expressway ramp", distance_km=Decimal("2.5"),
                                expected_minutes=4, shows=[Feature.ACCELERATION, Feature.NOISE])
    RouteSegment.objects.create(route=route, position=2, name="Park bends", distance_km=Decimal("3.0"),
                                expected_minutes=6, shows=[Feature.CORNERING])
    RouteSegment.objects.create(route=route, position=3, name="Cobbled lane", distance_km=Decimal("1.5"),
                                expected_minutes=5, shows=[Feature.COMFORT, Feature.BRAKING])
    return route


def agreement_template(showroom, language: str = "en", body: str = "I take part in this test drive at my own wish.") -> AgreementTemplate:
    return AgreementTemplate.objects.create(
        showroom=showroom, language=language, title="Test-drive agreement" if language == "en" else "试乘试驾协议书",
        body=body,
    )


def signature(*, blank: bool = False, size=(600, 200)) -> str:
    """A PNG data URL like the signature pad's: a transparent canvas with a stroke drawn."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(image).line([(40, 150), (200, 40), (320, 160), (560, 60)], fill=(20, 20, 60, 255), width=6)
    out = BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def photo(name: str = "licence.jpg", fmt: str = "JPEG", size=(800, 500)) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", size, (200, 210, 220)).save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def booking(customer, consultant, car, *, starts_in: timedelta = timedelta(minutes=5), minutes: int = 30, **kwargs):
    """A booking made now through booking_create (the car must be ready for its day)."""
    now = timezone.now()
    starts_at = (now + starts_in).replace(second=0, microsecond=0)
    return services.booking_create(
        car=car, customer=customer, consultant=consultant, by=consultant,
        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), **kwargs,
    )


def licence(booking, by, *, issued_years_ago: int = 5, **kwargs):
    today = showroom_today(booking.showroom)
    values = {
        "has_licence": True,
        "number": "310101199001011234",
        "licence_class": "C1",
        "issued_on": today.replace(year=today.year - issued_years_ago),
        "expires_on": today.replace(year=today.year + 4),
        "photo": photo(),
        **kwargs,
    }
    return services.licence_check_save(booking=booking, by=by, **values)


def signed(booking, by, template=None):
    template = template or AgreementTemplate.objects.filter(showroom=booking.showroom).first() or agreement_template(
        booking.showroom
    )
    agreement, _new = services.agreement_sign(booking=booking, template=template, signature=signature(), by=by)
    return agreement


def ready(booking, by):
    """Licence checked (may drive) and agreement signed: the drive can start."""
    licence(booking, by)
    signed(booking, by)
    return booking


def started(booking, by, *, odometer: int = 12_000, mode: str = "drive"):
    drive, _new = services.drive_start(booking=booking, mode=mode, odometer=odometer, by=by)
    return drive


def ended(booking, by, *, odometer: int = 12_000, km: int = 9):
    drive = started(booking, by, odometer=odometer)
    services.drive_end(drive=drive, odometer=odometer + km, by=by)
    drive.refresh_from_db()
    return drive


def map_image(route: Route) -> Route:
    out = BytesIO()
    Image.new("RGB", (400, 300), (180, 220, 180)).save(out, format="PNG")
    route.map_image.save("map.png", ContentFile(out.getvalue()))
    return route


def prepared_booking(customer, consultant, *, plate: str = "沪A·D9001"):
    """A booking of the next slot on a route with a map, the licence checked (with its photo)
    and the agreement signed: every page of a booking has something to show (the access and
    form-fuzz meta-tests)."""
    showroom = customer.showroom
    car = fleet_car(showroom, plate=plate)
    daily_check(car)
    made = booking(customer, consultant, car, route=map_image(route(showroom)))
    licence(made, consultant)
    signed(made, consultant)
    return made


def fuzz_world(*, customer, consultant, outsider, foreign_customer) -> dict:
    """Test drives at every step for tests/security/test_form_fuzz.py's world: each key is
    (this showroom's, another showroom's) booking id, as the fuzz's Form.obj expects."""
    showroom = customer.showroom
    agreement_template(showroom)
    loop = route(showroom)

    def prepared(plate, *steps):
        car = fleet_car(showroom, plate=plate)
        daily_check(car)
        made = booking(customer, consultant, car, route=loop)
        for step in steps:
            step(made)
        return made

    foreign_car = fleet_car(outsider.showroom, plate="浙A·D0001")
    daily_check(foreign_car)
    foreign = booking(foreign_customer, outsider, foreign_car).pk
    new = prepared("沪A·F0001")
    checked = prepared("沪A·F0002", lambda b: licence(b, consultant))
    ready_ = prepared("沪A·F0003", lambda b: ready(b, consultant))
    running = prepared("沪A·F0004", lambda b: ready(b, consultant), lambda b: started(b, consultant))
    done = prepared("沪A·F0005", lambda b: ready(b, consultant), lambda b: ended(b, consultant))
    free = fleet_car(showroom, plate="沪A·F0006")
    daily_check(free)
    return {
        "booking_new": (new.pk, foreign),
        "booking_checked": (checked.pk, foreign),
        "booking_ready": (ready_.pk, foreign),
        "drive_open": (running.pk, foreign),
        "drive_ended": (done.pk, foreign),
        "fleet_cars": list(FleetCar.objects.filter(car__showroom=showroom).values_list("pk", flat=True)),
        "routes": [loop.pk],
        "placeholders": {"FREE_CAR": str(free.pk), "SIGNATURE": signature()},
    }
