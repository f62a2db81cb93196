"""The test drive on a tablet (DOMAIN section 8): the booking calendar and the fleet, booking
a slot or a walk-in drive, then one page per booking that leads through the licence check, the
route, the signed agreement, the drive, the survey and the registration.

Every view loads its booking through testdrive.access (another showroom's or another
consultant's booking is a 404). State changes are small POST views that call a service and
are safe to submit twice; a refused one shows the booking page again with the error at its
field (status 400)."""

from datetime import date, datetime, timedelta
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import ListView

from leads.access import customer_for_user
from testdrive import services
from testdrive.access import booking_for_user, fleet_for_user, may_run
from testdrive.forms import (
    AgreementSignForm,
    BookingForm,
    CancelForm,
    EndForm,
    HandoverForm,
    LicenceForm,
    RegisterForm,
    RideAlongForm,
    StartForm,
    SurveyForm,
)
from testdrive.models import AgreementTemplate, DriveMode, LicencePhotoAccess
from testdrive.selectors import (
    RETIRED,
    calendar_day,
    car_readiness,
    fleet_readiness,
    last_odometer,
    route_with_segments,
    showroom_today,
)
from testdrive.storage import CONTENT_TYPES


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _require_showroom(user):
    if user.showroom_id is None:
        raise PermissionDenied(_("Your account is not attached to a showroom."))


def _day_from(value) -> date | None:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if date.min < day < date.max else None


def _detail_url(booking) -> str:
    return reverse("testdrive:booking-detail", args=[booking.pk])


# An image opened on its own (a new tab): the browser's image viewer styles itself inline, and
# nothing else may load or run (as for a checklist photo, showroom/views/checklists.py).
IMAGE_CSP = {"default-src": [NONE], "img-src": [SELF], "style-src": [UNSAFE_INLINE], "frame-ancestors": [SELF]}


def _private_file(field, content_type=None) -> FileResponse:
    """A stored private file; its type from its (random, service-given) name, never cached."""
    try:
        path = Path(field.path)
    except (ValueError, NotImplementedError):
        raise Http404 from None
    content_type = content_type or CONTENT_TYPES.get(path.suffix.lower())
    if content_type is None or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# --- calendar and fleet ---------------------------------------------------------------------


@login_required
@require_GET
def calendar(request):
    """A day's bookings, a row per car and a cell per slot (?day=YYYY-MM-DD, today by default);
    a car that cannot go out that day says why. A constant number of queries."""
    _require_showroom(request.user)
    showroom = request.user.showroom
    today = showroom_today(showroom)
    day = _day_from(request.GET.get("day")) or today
    ctx = calendar_day(showroom=showroom, day=day, user=request.user)
    ctx.update(
        previous_day=day - timedelta(days=1) if day > date.min + timedelta(days=1) else day,
        next_day=day + timedelta(days=1) if day < date.max - timedelta(days=1) else day,
        is_past=day < today,
    )
    return render(request, "testdrive/calendar.html", ctx)


class FleetView(LoginRequiredMixin, ListView):
    """The test-drive fleet: each car's insurance, bay, last odometer reading and whether it may
    go out today (and why not)."""

    template_name = "testdrive/fleet.html"
    context_object_name = "cars"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_showroom(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            fleet_for_user(self.request.user)
            .exclude(car__status__in=RETIRED)
            .annotate(odometer=Max("bookings__drive__end_odometer"))
            .order_by("car__plate", "pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = showroom_today(self.request.user.showroom)
        readiness = fleet_readiness(cars=ctx["cars"], day=today, today=today)
        ctx["rows"] = [(car, readiness[car.pk]) for car in ctx["cars"]]
        ctx["today"] = today
        return ctx


# --- booking --------------------------------------------------------------------------------


def _booking_initial(request) -> dict:
    """Pre-filled from the calendar (?car=&start=) or the customer page (?customer=)."""
    initial = {}
    car = request.GET.get("car", "")
    if car.isdigit() and len(car) < 12:
        initial["car"] = int(car)
    try:
        start = datetime.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = None
    if start is not None and date.min < start.date() < date.max:
        initial["starts_at"] = start.replace(tzinfo=None)
    customer = request.GET.get("customer", "")
    if customer.isdigit() and len(customer) < 12:
        try:
            initial["mobile"] = customer_for_user(request.user, int(customer), for_edit=True).mobile
        except Http404:
            pass
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def booking_create(request):
    """Book a car for a slot, or tick walk-in for a drive that starts now."""
    _require_showroom(request.user)
    if request.method == "POST":
        form = BookingForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["walk_in"]:
                    booking = services.booking_walk_in(
                        car=data["car"], customer=form.customer, consultant=request.user, by=request.user,
                        route=data["route"],
                    )
                else:
                    starts_at = data["starts_at"]
                    booking = services.booking_create(
                        car=data["car"], customer=form.customer, consultant=request.user, by=request.user,
                        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=data["minutes"]),
                        route=data["route"],
                    )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Test drive booked."))
                return redirect(_detail_url(booking))
        status = 400
    else:
        form = BookingForm(user=request.user, initial=_booking_initial(request))
        status = 200
    return render(request, "testdrive/booking_form.html", {"form": form}, status=status)


def _start_form(initial, check) -> StartForm:
    """The start form; a customer who may not drive is offered the ride-along only."""
    form = StartForm(initial=initial)
    if check is not None and not check.may_drive:
        form.fields["mode"].choices = [(DriveMode.RIDE_ALONG, DriveMode.RIDE_ALONG.label)]
    return form


def _page(request, booking, *, forms=None, status=200):
    """The booking's page: where the drive stands and the next step's form."""
    user = request.user
    forms = forms or {}
    drive = getattr(booking, "drive", None)
    check = getattr(booking, "licence_check", None)
    runs = may_run(user, booking)
    ctx = {
        "booking": booking,
        "drive": drive,
        "check": check,
        "agreement": getattr(booking, "agreement", None),
        "survey": getattr(drive, "survey", None) if drive else None,
        "may_run": runs,
        "route": route_with_segments(booking.route) if booking.route_id else None,
        "step_errors": [error for form in forms.values() for error in form.non_field_errors()],
        "form": next(iter(forms.values()), None),  # the step's form that came back with its errors
    }
    if drive is None and not booking.is_cancelled:
        ctx["slot_over"] = timezone.now() >= booking.ends_at  # too late to start: book again
        ctx["readiness"] = car_readiness(
            car=booking.car, day=timezone.localdate(booking.starts_at, booking.showroom.tzinfo),
            today=showroom_today(booking.showroom),
        )
    if runs:
        mode = DriveMode.DRIVE if check is None or check.may_drive else DriveMode.RIDE_ALONG
        start_initial = {"mode": mode}
        if drive is None and "start" not in forms and check is not None and ctx["agreement"] is not None:
            last = last_odometer(booking.car)  # a test-drive car goes nowhere else: it still reads this
            if last is not None:
                start_initial["odometer"] = last[0]
        ctx.update(
            cancel_form=forms.get("cancel") or CancelForm(),
            start_form=forms.get("start") or _start_form(start_initial, check),
            handover_form=forms.get("handover") or HandoverForm(),
            ride_along_form=forms.get("ride_along") or RideAlongForm(),
            end_form=forms.get("end") or EndForm(),
            register_form=forms.get("register") or RegisterForm(),
        )
    if check is not None and check.photo and (user.is_manager or user.is_group_admin):
        ctx["photo_accesses"] = list(
            LicencePhotoAccess.objects.filter(licence_check=check).select_related("user")[:50]
        )
    return render(request, "testdrive/booking_detail.html", ctx, status=status)


@login_required
@require_GET
def booking_detail(request, pk):
    return _page(request, booking_for_user(request.user, pk))


def _post_step(request, pk, form_class, key, action, done, again):
    """Run one step of the drive from a POSTed form: ``action(booking, data)`` returns whether
    it did anything (False: done already, ``again`` is said)."""
    booking = booking_for_user(request.user, pk, for_edit=True)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            changed = action(booking, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if changed:
                messages.success(request, done)
            else:
                messages.info(request, again)
            return redirect(_detail_url(booking))
    return _page(request, booking, forms={key: form}, status=400)


def _drive_of(booking):
    drive = getattr(booking, "drive", None)
    if drive is None:
        raise ValidationError(_("The drive has not started yet."), code="not_started")
    return drive


@login_required
@require_POST
def booking_cancel(request, pk):
    return _post_step(
        request, pk, CancelForm, "cancel",
        lambda booking, data: services.booking_cancel(booking=booking, by=request.user, reason=data["reason"]),
        _("Booking cancelled: the car is free again."), _("This booking was already cancelled."),
    )


@login_required
@require_POST
def drive_start(request, pk):
    def start(booking, data):
        _drive, created = services.drive_start(
            booking=booking, mode=data["mode"], odometer=data["odometer"], at=data["started_at"], by=request.user
        )
        return created

    return _post_step(request, pk, StartForm, "start", start, _("Drive started."), _("This drive had already started."))


@login_required
@require_POST
def drive_handover(request, pk):
    return _post_step(
        request, pk, HandoverForm, "handover",
        lambda booking, data: services.drive_handover(
            drive=_drive_of(booking), odometer=data["odometer"], at=data["at"], by=request.user
        ),
        _("The customer drives."), _("The car was already handed over."),
    )


@login_required
@require_POST
def drive_ride_along(request, pk):
    return _post_step(
        request, pk, RideAlongForm, "ride_along",
        lambda booking, data: services.drive_switch_to_ride_along(
            drive=_drive_of(booking), reason=data["reason"], by=request.user
        ),
        _("Switched to ride-along: the consultant drives."), _("This drive is a ride-along already."),
    )


@login_required
@require_POST
def drive_end(request, pk):
    return _post_step(
        request, pk, EndForm, "end",
        lambda booking, data: services.drive_end(
            drive=_drive_of(booking), odometer=data["odometer"], at=data["ended_at"], by=request.user
        ),
        _("Drive ended. Hand the tablet to the customer for the survey."), _("This drive had already ended."),
    )


@login_required
@require_POST
def drive_register(request, pk):
    return _post_step(
        request, pk, RegisterForm, "register",
        lambda booking, data: services.drive_register(
            drive=_drive_of(booking), customer_left_at=data["customer_left_at"], notes=data["notes"], by=request.user
        ),
        _("Test drive registered."), _("This test drive was already registered."),
    )


# --- licence --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def licence_check(request, pk):
    booking = booking_for_user(request.user, pk, for_edit=True)
    check = getattr(booking, "licence_check", None)
    if request.method == "POST":
        form = LicenceForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                check = services.licence_check_save(
                    booking=booking, has_licence=data["has_licence"], number=data["number"],
                    licence_class=data["licence_class"], issued_on=data["issued_on"], expires_on=data["expires_on"],
                    photo=data["photo"], by=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                if check.may_drive:
                    messages.success(request, _("Licence checked: the customer may drive."))
                else:
                    messages.warning(
                        request,
                        _("Ride-along only: %(reason)s.") % {"reason": check.get_ride_along_reason_display()},
                    )
                return redirect(_detail_url(booking))
        status = 400
    else:
        initial = {"has_licence": "yes"}
        if check is not None:
            initial = {
                "has_licence": "yes" if check.has_licence else "no", "number": check.number,
                "licence_class": check.licence_class, "issued_on": check.issued_on, "expires_on": check.expires_on,
            }
        form = LicenceForm(initial=initial)
        status = 200
    return render(request, "testdrive/licence_form.html", {"booking": booking, "check": check, "form": form},
                  status=status)


@login_required
@require_GET
@csp(IMAGE_CSP)
def licence_photo(request, pk):
    """The photo of the customer's licence, to the staff of the showroom who see the booking;
    every opening is logged (who, when) for the managers."""
    booking = booking_for_user(request.user, pk)
    check = getattr(booking, "licence_check", None)
    if check is None or not check.photo:
        raise Http404
    response = _private_file(check.photo)
    services.licence_photo_opened(check=check, by=request.user)
    return response


# --- route and agreement --------------------------------------------------------------------


@login_required
@require_GET
def route_briefing(request, pk):
    """The route, walked through with the customer before the drive: map, hand-over point,
    every segment with its distance, time and what it shows, and the rules."""
    booking = booking_for_user(request.user, pk)
    route = route_with_segments(booking.route) if booking.route_id else None
    return render(request, "testdrive/route_briefing.html", {"booking": booking, "route": route,
                                                             "speed": _speed_limit(booking)})


def _speed_limit(booking) -> int:
    template = AgreementTemplate.objects.filter(showroom_id=booking.showroom_id).order_by("max_speed_kmh").first()
    return template.max_speed_kmh if template else 80


@login_required
@require_GET
@csp(IMAGE_CSP)
def route_map(request, pk):
    booking = booking_for_user(request.user, pk)
    if booking.route is None or not booking.route.map_image:
        raise Http404
    response = _private_file(booking.route.map_image)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def agreement_sign(request, pk):
    """The customer reads the agreement in their language and signs it on the tablet."""
    booking = booking_for_user(request.user, pk, for_edit=True)
    if getattr(booking, "agreement", None) is not None:  # signed already (a second tap, the back button)
        if request.method == "POST":
            messages.info(request, _("The agreement is signed."))
            return redirect(_detail_url(booking))
        return render(request, "testdrive/agreement_sign.html", {"booking": booking, "signed": booking.agreement})
    templates = {t.language: t for t in AgreementTemplate.objects.filter(showroom_id=booking.showroom_id)}
    status = 200
    if request.method == "POST":
        form = AgreementSignForm(request.POST)
        if form.is_valid():
            template = templates.get(form.cleaned_data["language"])
            try:
                if template is None:
                    raise ValidationError({"language": _("This showroom has no agreement in this language.")})
                with translation.override(template.language):  # a refusal is said to the customer
                    services.agreement_sign(
                        booking=booking, template=template, signature=form.cleaned_data["signature"], by=request.user
                    )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Agreement signed."))
                return redirect(_detail_url(booking))
        status = 400
        template = templates.get(form.data.get("language"))
    else:
        template = templates.get(request.GET.get("language"))
    if template is None:  # the customer's language, else the showroom's other one
        template = services.agreement_template_for(
            showroom=booking.showroom, language=booking.customer.language or get_language()
        )
    if request.method != "POST":
        form = AgreementSignForm(initial={"language": template.language if template else get_language()})
    text = services.agreement_text(template=template, booking=booking) if template else ""
    ctx = {"booking": booking, "form": form, "template": template, "text": text,
           "languages": [(code, t) for code, t in sorted(templates.items())]}
    return render(request, "testdrive/agreement_sign.html", ctx, status=status)


@login_required
@require_GET
def agreement(request, pk):
    """The signed agreement as a clean printable page: the text as signed and the signature."""
    booking = booking_for_user(request.user, pk)
    signed = getattr(booking, "agreement", None)
    if signed is None:
        raise Http404
    return render(request, "testdrive/agreement.html", {"booking": booking, "agreement": signed})


@login_required
@require_GET
@csp(IMAGE_CSP)
def agreement_signature(request, pk):
    booking = booking_for_user(request.user, pk)
    signed = getattr(booking, "agreement", None)
    if signed is None or not signed.signature:
        raise Http404
    return _private_file(signed.signature, content_type="image/png")


# --- survey ---------------------------------------------------------------------------------


def _survey_language(request, booking) -> str:
    """The survey is the customer's: in the language picked on the page, else theirs."""
    codes = {code for code, _name in settings.LANGUAGES}
    for chosen in (
        request.POST.get("switch_language"), request.POST.get("language"), request.GET.get("language"),
        booking.customer.language,
    ):
        if chosen in codes:
            return chosen
    return get_language()


@login_required
@require_http_methods(["GET", "POST"])
def survey(request, pk):
    """The post-drive survey, filled by the customer on the tablet, in the customer's language
    (buttons on the page switch it)."""
    booking = booking_for_user(request.user, pk, for_edit=True)
    drive = getattr(booking, "drive", None)
    language = _survey_language(request, booking)
    with translation.override(language):
        if drive is not None and getattr(drive, "survey", None) is not None:
            messages.info(request, _("Thank you: the survey is recorded."))
            return redirect(_detail_url(booking))
        status = 200
        if request.method == "POST" and "switch_language" in request.POST:
            # The customer switched language half-way: what they ticked and typed so far comes
            # back in the other language, nothing is saved and nothing is flagged as missing yet.
            form = SurveyForm(initial=request.POST.dict())
        elif request.method == "POST":
            form = SurveyForm(request.POST)
            if form.is_valid():
                try:
                    services.survey_submit(
                        drive=_drive_of(booking), likelihood=form.cleaned_data["likelihood"], ratings=form.ratings(),
                        comments=form.cleaned_data["comments"], by=request.user,
                    )
                except ValidationError as exc:
                    _add_errors(form, exc)
                else:
                    messages.success(request, _("Thank you for your answers!"))
                    return redirect(_detail_url(booking))
            status = 400
        else:
            form = SurveyForm()
        ctx = {"booking": booking, "drive": drive, "form": form, "language": language,
               "languages": [code for code, _name in settings.LANGUAGES]}
        return render(request, "testdrive/survey.html", ctx, status=status)
