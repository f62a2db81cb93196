"""Writes to the visitor register (DOMAIN section 5)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.models import Notification
from followup.services import thank_you_sms_schedule_for_visit
from leads.models import Customer, Grade
from leads.services import (
    DuplicateMobile,
    check_referrer,
    check_source,
    customer_change_grade,
    customer_create,
    customer_set_owner,
    customer_set_source,
    customer_touch,
)
from showroom import events, floor
from showroom.models import Visit

OWNERSHIP_RULE_DAYS = 7
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class VisitResult:
    visit: Visit
    customer: Customer | None
    returning: bool = False
    ownership_transferred: bool = False


def _check_not_future(moment: datetime, field: str, now: datetime) -> None:
    if moment > now + CLOCK_SKEW:
        raise ValidationError({field: _("This time is in the future.")}, code="future")


def ownership_should_transfer(*, customer: Customer, receiving, now: datetime) -> bool:
    """DOMAIN section 3: back after more than 7 days, and not contacted by their consultant
    in that time → the consultant receiving this visit becomes the owner."""
    if customer.owner_id is None:
        return True
    if customer.owner_id == receiving.pk:
        return False
    cutoff = now - timedelta(days=OWNERSHIP_RULE_DAYS)
    last_visit = customer.visits.order_by("-arrived_at").values_list("arrived_at", flat=True).first()
    returned_after_gap = last_visit is None or last_visit < cutoff
    owner_silent = customer.last_contact_at is None or customer.last_contact_at < cutoff
    return returned_after_gap and owner_silent


def _find_or_create_customer(
    *, showroom, consultant, by, mobile, name, source, grade, sms_consent, referred_by_customer=None,
    referred_by_staff=None,
) -> tuple[Customer, bool]:
    existing = Customer.objects.select_for_update().filter(showroom=showroom, mobile=mobile).first()
    if existing is not None:
        return existing, True
    try:
        customer = customer_create(
            showroom=showroom,
            by=by,
            owner=consultant,
            mobile=mobile,
            name=name,
            source=source,
            grade=grade or Grade.C,
            sms_consent=sms_consent,
            referred_by_customer=referred_by_customer,
            referred_by_staff=referred_by_staff,
        )
    except DuplicateMobile as dup:  # created by someone else a moment ago
        return dup.existing, True
    return customer, False


@transaction.atomic
def visit_create(
    *,
    showroom,
    consultant,
    by,
    channel: str,
    arrived_at: datetime | None = None,
    party_size: int = 1,
    mobile="",
    name: str = "",
    is_first_visit: bool = True,
    vehicle_model=None,
    source: str = "",
    grade: str = "",
    notes: str = "",
    sms_consent: bool = False,
    keep_original_consultant: bool = False,
    referred_by_customer: Customer | None = None,
    referred_by_staff=None,
) -> VisitResult:
    """Log a walk-in, phone-in or SMS/mail contact in the visitor register.

    With a mobile number the visit is attached to the showroom's one customer for that
    number (created if new). A returning customer's consultant is notified, and the 7-day
    ownership rule is applied unless the customer asks for their original consultant.

    Who referred them (a customer or a staff member) is kept on the customer, so it needs a
    mobile; a source that needs a referrer needs one (leads.services.check_referrer) unless a
    returning customer already has one, which is kept (a blank referrer is filled, as a blank
    name is).
    """
    now = timezone.now()
    arrived_at = arrived_at or now
    _check_not_future(arrived_at, "arrived_at", now)
    if consultant.showroom_id != showroom.pk:
        raise ValidationError({"consultant": _("This consultant works in another showroom.")})
    lead_source = check_source(showroom_id=showroom.pk, code=source)  # one of the showroom's active sources
    needs_referrer = lead_source is not None and lead_source.needs_referrer
    referrer_given = referred_by_customer is not None or referred_by_staff is not None
    if not mobile and (needs_referrer or referrer_given):
        raise ValidationError(
            {"mobile": _("Give the visitor's mobile: who referred them is kept on their customer record.")},
            code="referral_needs_mobile",
        )

    customer, returning, transferred = None, False, False
    if mobile:
        customer, returning = _find_or_create_customer(
            showroom=showroom,
            consultant=consultant,
            by=by,
            mobile=mobile,
            name=name,
            source=source,
            grade=grade,
            sms_consent=sms_consent,
            referred_by_customer=referred_by_customer,
            referred_by_staff=referred_by_staff,
        )
    if customer is not None:
        is_first_visit = not returning  # with a mobile number, the system knows
    if returning:
        has_referrer = customer.referred_by_customer_id is not None or customer.referred_by_staff_id is not None
        check_referrer(
            showroom_id=showroom.pk,
            needs_referrer=needs_referrer and not has_referrer,
            customer=customer,
            referred_by_customer=referred_by_customer,
            referred_by_staff=referred_by_staff,
        )
        if referrer_given and not has_referrer:  # on the timeline as "Referred by …"
            customer_set_source(
                customer=customer,
                source=customer.source or source,
                referred_by_customer=referred_by_customer,
                referred_by_staff=referred_by_staff,
                by=by,
            )
    if returning:
        original_owner = customer.owner
        if not keep_original_consultant and ownership_should_transfer(
            customer=customer, receiving=consultant, now=now
        ):
            transferred = customer_set_owner(customer=customer, owner=consultant, by=by, rule="seven_day")
        if original_owner is not None and original_owner != consultant and not transferred:
            Notification.objects.create(
                recipient=original_owner,
                kind=Notification.Kind.RETURNING_CUSTOMER,
                customer=customer,
                actor=consultant,
            )
        updates = []
        if name and not customer.name:
            customer.name = name.strip()
            updates.append("name")
        if sms_consent and not customer.sms_consent:
            customer.sms_consent = True
            updates.append("sms_consent")
        if updates:
            customer.save(update_fields=[*updates, "updated_at"])
        if grade:
            customer_change_grade(customer=customer, grade=grade, by=by, reason=_("Set at visit."))

    visit = Visit(
        showroom=showroom,
        customer=customer,
        consultant=consultant,
        channel=channel,
        arrived_at=arrived_at,
        party_size=party_size,
        is_first_visit=is_first_visit,
        vehicle_model=vehicle_model,
        source=source,
        grade=grade,
        notes=notes.strip(),
    )
    visit.full_clean(exclude=["showroom", "customer", "consultant"])
    visit.save()
    # The floor, in this transaction: a walk-in is its consultant's turn in the duty rotation,
    # and the customer's appointment of the day is marked arrived (showroom.floor).
    floor.duty_record_walk_in(visit=visit, by=by)
    floor.appointment_record_arrival(visit=visit, by=by)
    if customer is not None:
        customer_touch(customer=customer, by=consultant)
        events.visit_logged_event(visit=visit, by=by, kept_original=keep_original_consultant and returning)
    return VisitResult(visit=visit, customer=customer, returning=returning, ownership_transferred=transferred)


@transaction.atomic
def visit_close(*, visit: Visit, left_at: datetime | None = None, by) -> bool:
    """Record the departure ("customer left") and schedule the thank-you SMS.

    Safe to submit twice: a visit that already has a departure is left unchanged.
    """
    now = timezone.now()
    left_at = left_at or now
    visit = (
        Visit.objects.select_for_update(of=("self",)).select_related("showroom", "customer").get(pk=visit.pk)
    )
    if visit.left_at is not None:
        return False
    if left_at < visit.arrived_at:
        raise ValidationError(
            {"left_at": _("The departure time cannot be before the arrival time.")},
            code="left_before_arrival",
        )
    _check_not_future(left_at, "left_at", now)
    visit.left_at = left_at
    visit.registered_at = now
    visit.save(update_fields=["left_at", "registered_at", "updated_at"])
    if visit.customer is not None:
        events.visit_closed_event(visit=visit, by=by)
        thank_you_sms_schedule_for_visit(visit=visit, by=by, now=now)
    return True


@transaction.atomic
def visit_link_customer(
    *, visit: Visit, mobile, name: str = "", sms_consent: bool = False, by
) -> VisitResult:
    """Attach an anonymous visit to the customer with this mobile (created if new)."""
    visit = Visit.objects.select_for_update().select_related("showroom").get(pk=visit.pk)
    if visit.customer_id is not None:
        raise ValidationError(_("This visit is already linked to a customer."), code="linked")
    customer, returning = _find_or_create_customer(
        showroom=visit.showroom,
        consultant=visit.consultant,
        by=by,
        mobile=mobile,
        name=name,
        source=visit.source,
        grade=visit.grade,
        sms_consent=sms_consent,
    )
    if returning and sms_consent and not customer.sms_consent:
        customer.sms_consent = True
        customer.save(update_fields=["sms_consent", "updated_at"])
    visit.customer = customer
    visit.is_first_visit = visit.is_first_visit and not returning
    visit.save(update_fields=["customer", "is_first_visit", "updated_at"])
    floor.appointment_record_arrival(visit=visit, by=by)  # now that we know who came
    events.visit_linked_event(visit=visit, by=by)
    if visit.left_at is not None:
        events.visit_closed_event(visit=visit, by=by)
        thank_you_sms_schedule_for_visit(visit=visit, by=by)
    return VisitResult(visit=visit, customer=customer, returning=returning)
