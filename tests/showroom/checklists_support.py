"""Helpers for the daily checklists' tests (tests/showroom/test_checklist*.py)."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dealership.roles import Role
from showroom.models import ChecklistTemplate, DutySlot, StockCar
from showroom.vin import vin_check_digit
from tests.factories import ColourFactory, TrimFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    """A moment in Shanghai (the test showrooms' time zone): at(2026, 3, 10, 9, 0)."""
    return datetime(*args, tzinfo=SHANGHAI)


def vin(n: int) -> str:
    body = f"LSV{n:014d}"
    return body[:8] + vin_check_digit(body[:8] + "0" + body[9:]) + body[9:]


def drive_car(showroom, n: int = 1, *, plate: str = "", status: str = "in_stock", **kwargs) -> StockCar:
    trim = TrimFactory()
    return StockCar.objects.create(
        showroom=showroom,
        vin=vin(n),
        trim=trim,
        colour=ColourFactory(brand=trim.vehicle_model.series.brand),
        status=status,
        is_test_drive=True,
        plate=plate or f"沪A{n:05d}",
        **kwargs,
    )


def on_duty(showroom, day, *consultants) -> None:
    for position, consultant in enumerate(consultants):
        DutySlot.objects.create(showroom=showroom, day=day, consultant=consultant, position=position)


def template(showroom, kind: str) -> ChecklistTemplate:
    return ChecklistTemplate.objects.get(showroom=showroom, kind=kind)


def specialist_in(showroom, username: str = "drive"):
    return UserFactory(username=username, first_name="Qiang", last_name="Chen", showroom=showroom, role=Role.TEST_DRIVE_SPECIALIST)


def image_bytes(fmt: str = "PNG", size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def photo(name: str = "scratch.png", fmt: str = "PNG") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt), content_type=f"image/{fmt.lower()}")
