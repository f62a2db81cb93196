"""Writes to customers. Every function is atomic and leaves a trace on the timeline."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.models import Notification, Showroom
from leads import events
from leads.models import Customer, Grade, GradeChange


class DuplicateMobile(ValidationError):
    """The mobile already belongs to a customer of this showroom (carried in ``existing``)."""

    def __init__(self, existing: Customer):
        super().__init__(_("A customer with this mobile already exists."), code="duplicate_mobile")
        self.existing = existing


@transaction.atomic
def customer_create(
    *,
    showroom: Showroom,
    by,
    owner=None,
    mobile="",
    name: str = "",
    source: str = "",
    grade: str = Grade.C,
    sms_consent: bool = False,
    language: str = "zh-hans",
) -> Customer:
    if not mobile and not name.strip():
        raise ValidationError(_("Give at least a name or a mobile number."), code="empty")
    if mobile:
        existing = Customer.objects.filter(showroom=showroom, mobile=mobile).first()
        if existing is not None:
            raise DuplicateMobile(existing)
    customer = Customer(
        showroom=showroom,
        owner=owner,
        mobile=mobile or "",
        name=name.strip(),
        source=source,
        grade=grade,
        sms_consent=sms_consent,
        language=language,
        last_contact_at=timezone.now() if owner else None,
    )
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Lost a race with another consultant logging the same number.
        raise DuplicateMobile(Customer.objects.get(showroom=showroom, mobile=mobile)) from None
    GradeChange.objects.create(customer=customer, from_grade="", to_grade=grade, changed_by=by)
    events.customer_created_event(customer=customer, by=by)
    return customer


@transaction.atomic
def customer_change_grade(*, customer: Customer, grade: str, by, reason: str = "") -> bool:
    """Set a new intent grade, keeping its history. Returns False when nothing changed."""
    if grade not in Grade.values:
        raise ValidationError(_("Unknown grade."), code="invalid_grade")
    old = customer.grade
    if old == grade:
        return False
    customer.grade = grade
    customer.save(update_fields=["grade", "updated_at"])
    GradeChange.objects.create(
        customer=customer, from_grade=old, to_grade=grade, changed_by=by, reason=reason
    )
    events.grade_changed_event(customer=customer, old=old, new=grade, reason=reason, by=by)
    return True


@transaction.atomic
def customer_set_owner(*, customer: Customer, owner, by, rule: str = "manual") -> bool:
    old_owner = customer.owner
    if old_owner == owner:
        return False
    customer.owner = owner
    customer.last_contact_at = timezone.now()
    customer.save(update_fields=["owner", "last_contact_at", "updated_at"])
    events.owner_changed_event(customer=customer, old_owner=old_owner, new_owner=owner, rule=rule, by=by)
    if old_owner is not None and old_owner != by:
        Notification.objects.create(
            recipient=old_owner,
            kind=Notification.Kind.OWNERSHIP_LOST,
            customer=customer,
            actor=owner,
        )
    return True


def customer_touch(*, customer: Customer, by) -> None:
    """Record a contact; only the owning consultant's contacts count for the 7-day rule."""
    if by is not None and customer.owner_id == by.pk:
        customer.last_contact_at = timezone.now()
        customer.save(update_fields=["last_contact_at", "updated_at"])


@transaction.atomic
def customer_update(
    *, customer: Customer, by, name: str, mobile, sms_consent: bool, language: str
) -> Customer:
    """Edit contact data. A mobile that belongs to another customer raises DuplicateMobile."""
    if mobile:
        existing = (
            Customer.objects.filter(showroom_id=customer.showroom_id, mobile=mobile)
            .exclude(pk=customer.pk)
            .select_related("owner")
            .first()
        )
        if existing is not None:
            raise DuplicateMobile(existing)
    customer.name = name.strip()
    customer.mobile = mobile or ""
    customer.sms_consent = sms_consent
    customer.language = language
    customer.full_clean(exclude=["owner", "showroom"], validate_constraints=False)
    customer.save(update_fields=["name", "mobile", "sms_consent", "language", "updated_at"])
    return customer
