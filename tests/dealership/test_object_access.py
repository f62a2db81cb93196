"""Every URL that takes an object id answers 404 to staff who may not see that object.

The test walks the URLconf, so a new view with an id is covered automatically: it fails
until the view's object kind is added to OBJECT_FOR below.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from followup.models import Reminder
from leads.models import LostRequest
from leads.services import import_batch_create
from showroom.checklists import checklist_answer_save, checklist_runs_create
from showroom.floor import appointment_book, head_count_record
from showroom.models import Presentation
from tests.factories import CustomerFactory, VehicleModelFactory, walk_in
from tests.testdrive.factories import prepared_booking

pytestmark = pytest.mark.django_db

# url name -> which fixture object's pk the URL takes
OBJECT_FOR = {
    "followup:call-outcome": "call",
    "leads:customer-detail": "customer",
    "leads:customer-edit": "customer",
    "leads:customer-grade": "customer",
    "leads:customer-history": "customer",
    "leads:customer-history-export": "customer",
    "leads:lost-request-approve": "lost_request",
    "leads:lost-request-reject": "lost_request",
    "leads:customer-merge": "customer",
    "leads:customer-import-preview": "import_batch",
    "leads:customer-assign": "customer",
    "leads:staff-referrals": "staff",  # whom a member of staff referred: managers, or themselves
    "showroom:appointment-book": "customer",
    "showroom:appointment-cancel": "appointment",
    "showroom:head-count-remove": "head_count",  # a figure of the head count: its showroom's managers
    "showroom:checklist-run": "checklist_run",  # the consultant's own readiness check
    "showroom:checklist-answer": "checklist_run",
    "showroom:checklist-complete": "checklist_run",
    "showroom:checklist-photo": "checklist_answer",  # a photo: those who see its checklist
    "showroom:checklist-fix-close": "checklist_fix",
    "showroom:checklist-fix-owner": "checklist_fix",
    "showroom:visit-close": "visit",
    "showroom:visit-link": "anonymous_visit",
    "showroom:walkaround-start": "visit",
    "showroom:walkaround": "presentation",
    "showroom:walkaround-position": "presentation",
    "showroom:walkaround-finish": "presentation",
    "showroom:needs-edit": "customer",
    "showroom:needs-history": "customer",
    "testdrive:booking-detail": "booking",
    "testdrive:booking-cancel": "booking",
    "testdrive:licence-check": "booking",
    "testdrive:licence-photo": "booking",  # the customer's licence: staff who see the booking
    "testdrive:route-briefing": "booking",
    "testdrive:route-map": "booking",
    "testdrive:agreement-sign": "booking",
    "testdrive:agreement": "booking",
    "testdrive:agreement-signature": "booking",
    "testdrive:drive-start": "booking",
    "testdrive:drive-handover": "booking",
    "testdrive:drive-ride-along": "booking",
    "testdrive:drive-end": "booking",
    "testdrive:survey": "booking",
    "testdrive:drive-register": "booking",
}

# URLs that take more than the object's id: the arguments that follow it.
EXTRA_ARGS = {"showroom:walkaround-position": (1,)}

# Pages only managers (and group admins) may open, even for a customer a consultant owns: the
# owner gets the same 404 as anyone else (the change-history export shows every change, by anyone).
MANAGER_ONLY = {
    "leads:customer-history",
    "leads:customer-history-export",
    "leads:customer-merge",
    "leads:customer-import-preview",  # an uploaded list: the managers of its showroom only
    "leads:customer-assign",  # managers give customers to consultants
    "showroom:head-count-remove",  # reception records the head count; managers remove a figure
    "showroom:checklist-fix-owner",  # managers give a fix to someone else
}

# The dealer group's catalog: every signed-in staff member opens these, whatever their
# showroom; what a showroom owns on them (guide prices, stock) is only ever its own (tested below).
GROUP_CATALOG = {"showroom:model-detail", "showroom:catalog-image"}


def _patterns_with_ids(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or (entry.app_name or "").startswith("admin"):
                continue  # the Django admin has its own permission checks
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns_with_ids(entry, ns)
        elif isinstance(entry, URLPattern) and entry.pattern.converters and entry.name:
            yield f"{prefix}{entry.name}"


@pytest.fixture
def objects(consultant, manager, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the uploaded list below
    customer = CustomerFactory(
        showroom=consultant.showroom, owner=consultant, name="秘密客户", mobile="+8613912345678"
    )
    visit = walk_in(consultant, mobile=customer.mobile)
    presentation = Presentation.objects.create(
        visit=visit, vehicle_model=VehicleModelFactory(), consultant=consultant, notes="秘密备注"
    )
    anonymous = walk_in(consultant, notes="秘密备注")
    lost_request = LostRequest.objects.create(
        customer=customer, reason=customer.showroom.lost_reasons.first(), requested_by=consultant
    )
    import_batch = import_batch_create(
        showroom=customer.showroom,
        by=manager,
        upload=SimpleUploadedFile("list.csv", "name,mobile\n秘密名单,13912345670\n".encode()),
        default_owner=consultant,
        default_source="auto_show",
    )
    call = Reminder.objects.create(
        showroom=customer.showroom,
        customer=customer,
        kind=Reminder.Kind.FOLLOW_UP_CALL,
        channel=Reminder.Channel.CALL,
        due_at=timezone.now(),
        idempotency_key="access-test-call",
    )
    appointment, _ = appointment_book(
        customer=customer, scheduled_at=timezone.now() + timedelta(hours=3), notes="秘密备注", by=consultant
    )
    head_count, _ = head_count_record(
        showroom=customer.showroom, day=timezone.localdate(), hour=None, parties=3, by=manager
    )
    return {
        "customer": customer,
        "visit": visit,
        "anonymous_visit": anonymous,
        "lost_request": lost_request,
        "call": call,
        "import_batch": import_batch,
        "staff": CustomerFactory(  # the consultant, who referred a customer
            showroom=consultant.showroom, owner=consultant, name="秘密推荐", referred_by_staff=consultant
        ).referred_by_staff,
        "presentation": presentation,
        "booking": prepared_booking(customer, consultant),  # a test drive: licence photo, signed agreement
        "appointment": appointment,
        "head_count": head_count,
        **_checklist_objects(consultant),
    }


def _checklist_objects(consultant):
    """The consultant's readiness check today, one item failed with a photo (and so a fix)."""
    from showroom.models import ChecklistRun, DutySlot
    from tests.showroom.checklists_support import photo

    showroom, today = consultant.showroom, timezone.localdate(timezone=consultant.showroom.tzinfo)
    DutySlot.objects.create(showroom=showroom, day=today, consultant=consultant)
    checklist_runs_create(showroom=showroom, day=today)
    run = ChecklistRun.objects.get(showroom=showroom, day=today, consultant=consultant)
    answer = checklist_answer_save(
        run=run, item=run.template.items.first(), passed=False, note="秘密备注", photo=photo(), by=consultant
    )
    return {"checklist_run": run, "checklist_answer": answer, "checklist_fix": answer.fix}


def _url(url_name, objects):
    return reverse(url_name, args=[objects[OBJECT_FOR[url_name]].pk, *EXTRA_ARGS.get(url_name, ())])


def test_every_url_with_an_id_is_listed_here():
    assert sorted(_patterns_with_ids()) == sorted([*OBJECT_FOR, *GROUP_CATALOG])


@pytest.mark.parametrize("url_name", sorted(OBJECT_FOR))
def test_other_consultant_and_other_showroom_get_404(url_name, objects, login, second_consultant, outsider):
    url = _url(url_name, objects)
    for intruder in (second_consultant, outsider):
        client = login(intruder)
        for response in (client.get(url), client.post(url, {"grade": "F", "mobile": "13900000000"})):
            assert response.status_code in (404, 405), (url_name, intruder, response.status_code)
            body = response.content.decode()
            assert "秘密" not in body and "13912345678" not in body


@pytest.mark.parametrize("url_name", sorted(OBJECT_FOR))
def test_anonymous_users_are_sent_to_login(url_name, objects, client):
    url = _url(url_name, objects)
    response = client.get(url)
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url_name", sorted(OBJECT_FOR))
def test_the_owner_and_the_manager_can_open_it(url_name, objects, login, consultant, manager):
    url = _url(url_name, objects)
    for user in (consultant, manager):
        response = login(user).get(url)
        if user == consultant and url_name in MANAGER_ONLY:
            assert response.status_code == 404, (url_name, user)
            assert "秘密" not in response.content.decode()
        else:
            assert response.status_code in (200, 405), (url_name, user)


@pytest.fixture
def catalog_urls(consultant, settings, tmp_path):
    """A model with a guide price and a car at the consultant's showroom, and its image."""
    from datetime import date

    from django.core.files.base import ContentFile

    from showroom.models import PriceList, PriceListEntry, StockCar
    from showroom.vin import vin_check_digit
    from tests.factories import ColourFactory, TrimFactory

    settings.VAR_DIR = tmp_path
    colour = ColourFactory()
    trim = TrimFactory(colours=[colour])
    model = trim.vehicle_model
    model.image.save("front.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    plist = PriceList.objects.create(showroom=consultant.showroom, name="秘密价格表", valid_from=date(2000, 1, 1))
    PriceListEntry.objects.create(price_list=plist, trim=trim, msrp=876543)
    raw = "LFV2A21K0R1234567"
    vin = raw[:8] + vin_check_digit(raw) + raw[9:]
    StockCar.objects.create(showroom=consultant.showroom, vin=vin, trim=trim, colour=colour)
    return {
        "showroom:model-detail": reverse("showroom:model-detail", args=[model.pk]),
        "showroom:catalog-image": reverse("showroom:catalog-image", args=[model.image.name]),
    }


@pytest.mark.parametrize("url_name", sorted(GROUP_CATALOG))
def test_the_group_catalog_opens_to_all_staff_and_shows_each_showroom_only_its_own(
    url_name, catalog_urls, client, login, consultant, second_consultant, outsider
):
    url = catalog_urls[url_name]
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for user in (consultant, second_consultant, outsider):
        response = login(user).get(url)
        assert response.status_code == 200, (url_name, user)
        assert login(user).post(url).status_code == 405
    if url_name == "showroom:model-detail":
        assert "876,543" in login(second_consultant).get(url).content.decode()
        elsewhere = login(outsider).get(url)
        assert "876,543" not in elsewhere.content.decode() and elsewhere.context["sheet"].in_stock == 0
