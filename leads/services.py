"""Writes to customers. Every function is atomic and leaves a trace on the timeline."""

import os
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealership.models import Notification, Showroom
from followup.services import follow_up_call_schedule, follow_up_calls_schedule_new
from leads import events
from leads.models import (
    SOURCES_NEEDING_REFERRER,
    Customer,
    Grade,
    GradeChange,
    LeadSource,
    LostReason,
    LostRequest,
    ProspectingPlan,
    Source,
)

# The lost reasons every showroom starts with (DOMAIN section 2); (name, requires competitor).
# The names are stored as data, in the showroom's language of work, and edited in the admin.
DEFAULT_LOST_REASONS = [
    ("买了其他品牌 / Bought another brand", True),
    ("在本集团其他经销店购买 / Bought from another dealer of ours", True),
    ("价格 / Price", False),
    ("产品 / Product", False),
    ("贷款未获批 / Finance refused", False),
    ("放弃购买 / Gave up", False),
    ("其他 / Other", False),
]

LIVE_GRADES = [Grade.H, Grade.A, Grade.B, Grade.C]


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
    referred_by_customer: Customer | None = None,
    referred_by_staff=None,
) -> Customer:
    """A new customer. A source that needs a referrer needs one (check_referrer); the caller
    has checked that the source is one the showroom offers (check_source)."""
    if not mobile and not name.strip():
        raise ValidationError(_("Give at least a name or a mobile number."), code="empty")
    check_referrer(
        showroom_id=showroom.pk,
        needs_referrer=source_needs_referrer(showroom_id=showroom.pk, code=source),
        referred_by_customer=referred_by_customer,
        referred_by_staff=referred_by_staff,
    )
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
        referred_by_customer=referred_by_customer,
        referred_by_staff=referred_by_staff,
    )
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        # Lost a race with another consultant logging the same number.
        raise DuplicateMobile(Customer.objects.get(showroom=showroom, mobile=mobile)) from None
    GradeChange.objects.create(customer=customer, from_grade="", to_grade=grade, changed_by=by)
    follow_up_call_schedule(customer=customer, by=by)  # the grade's cadence (DOMAIN section 2)
    events.customer_created_event(customer=customer, by=by)
    return customer


def lost_reasons_seed(*, showroom: Showroom) -> None:
    """Give a showroom the default lost reasons (for a new showroom; existing names are kept)."""
    for position, (name, requires_competitor) in enumerate(DEFAULT_LOST_REASONS):
        LostReason.objects.get_or_create(
            showroom=showroom,
            name=name,
            defaults={"requires_competitor": requires_competitor, "position": position},
        )


def lead_sources_seed(*, showroom: Showroom) -> None:
    """Give a showroom the 12 default lead sources (DOMAIN section 3); existing codes are kept.
    Their names stay blank so each member of staff reads them in their own language."""
    for position, source in enumerate(Source):
        LeadSource.objects.get_or_create(
            showroom=showroom,
            code=source.value,
            defaults={"position": position, "needs_referrer": source in SOURCES_NEEDING_REFERRER},
        )


def showroom_setup(*, showroom: Showroom) -> None:
    """The lists every new showroom starts with (admin, demo data, test factories)."""
    from showroom.checklists import checklist_templates_seed

    lost_reasons_seed(showroom=showroom)
    lead_sources_seed(showroom=showroom)
    checklist_templates_seed(showroom=showroom)  # the daily checklists (DOMAIN section 4)


def check_source(*, showroom_id: int, code: str, current: str = "") -> LeadSource | None:
    """The showroom's active source ``code`` (None for no source); a customer's ``current``
    source may be kept even once inactive. Raises ValidationError for any other code."""
    if not code:
        return None
    lead_source = LeadSource.objects.filter(showroom_id=showroom_id, code=code).first()
    if lead_source is None or not (lead_source.is_active or code == current):
        raise ValidationError({"source": _("Choose one of this showroom's lead sources.")}, code="invalid_source")
    return lead_source


def source_needs_referrer(*, showroom_id: int, code: str) -> bool:
    """Whether the showroom's source ``code`` needs a referrer (LeadSource.needs_referrer), active
    or not; False for no source. One query when there is a code."""
    if not code:
        return False
    return LeadSource.objects.filter(showroom_id=showroom_id, code=code, needs_referrer=True).exists()


def check_referrer(
    *,
    showroom_id: int,
    needs_referrer: bool,
    customer: Customer | None = None,
    referred_by_customer: Customer | None = None,
    referred_by_staff=None,
) -> None:
    """The one rule for who referred a customer, for every way in: the customer form
    (customer_set_source), a new visit (showroom.services.visit_create, customer_create) and an
    imported list (leads.imports, row by row). At most one referrer: another customer of the
    same showroom, or a member of its staff; and a source that needs a referrer
    (``needs_referrer``) needs one. No query: the referrers are already loaded.

    Raises ValidationError keyed by ``referred_by_customer`` / ``referred_by_staff``, with the
    codes two_referrers, invalid_referrer and referrer_required (an import words its own
    reasons from the code)."""
    if referred_by_customer is not None and referred_by_staff is not None:
        raise ValidationError(
            {"referred_by_staff": ValidationError(_("Name one referrer: a customer or a staff member."),
                                                  code="two_referrers")}
        )
    if referred_by_customer is not None and (
        referred_by_customer.showroom_id != showroom_id
        or (customer is not None and customer.pk is not None and referred_by_customer.pk == customer.pk)
    ):
        raise ValidationError(
            {"referred_by_customer": ValidationError(_("Choose another customer of this showroom."),
                                                     code="invalid_referrer")}
        )
    if referred_by_staff is not None and referred_by_staff.showroom_id != showroom_id:
        raise ValidationError(
            {"referred_by_staff": ValidationError(_("Choose a member of this showroom's staff."),
                                                  code="invalid_referrer")}
        )
    if needs_referrer and referred_by_customer is None and referred_by_staff is None:
        raise ValidationError(
            {"referred_by_customer": ValidationError(
                _("A referral needs a referrer: choose the customer or the staff member."), code="referrer_required"
            )}
        )


def _is_manager(user) -> bool:
    return bool(user) and (user.is_manager or user.is_group_admin)


@transaction.atomic
def customer_change_grade(*, customer: Customer, grade: str, by, reason: str = "") -> bool:
    """Set a new intent grade, keeping its history. Returns False when nothing changed.

    F (lost) is not set here: it goes through customer_request_lost and a manager's approval.
    Leaving F (reactivation) is for a manager or the customer's consultant.
    """
    if grade not in Grade.values:
        raise ValidationError(_("Unknown grade."), code="invalid_grade")
    if grade == Grade.F:
        raise ValidationError(_("A lost customer needs a reason and a manager's approval."), code="lost")
    old = customer.grade
    if old == grade:
        return False
    _set_grade(customer=customer, old=old, new=grade, by=by, reason=reason)
    if old == Grade.F:
        events.reactivated_event(customer=customer, grade=grade, by=by)
    return True


def _set_grade(*, customer: Customer, old: str, new: str, by, reason: str) -> None:
    customer.grade = new
    customer.save(update_fields=["grade", "updated_at"])
    GradeChange.objects.create(customer=customer, from_grade=old, to_grade=new, changed_by=by, reason=reason)
    follow_up_call_schedule(customer=customer, by=by)  # the cadence of the new grade, or none
    events.grade_changed_event(customer=customer, old=old, new=new, reason=reason, by=by)


@transaction.atomic
def customer_request_lost(
    *, customer: Customer, reason: LostReason, by, competitor: str = "", note: str = ""
) -> LostRequest:
    """Ask to mark a customer lost. A consultant's request waits for a manager (the customer
    keeps their grade meanwhile); a manager's request is approved at once, by themselves."""
    if reason.showroom_id != customer.showroom_id or not reason.is_active:
        raise ValidationError(_("Choose one of the listed reasons."), code="invalid_reason")
    competitor = competitor.strip()
    if reason.requires_competitor and not competitor:
        raise ValidationError(_("Name the model the customer bought instead."), code="competitor_required")
    if customer.grade == Grade.F:
        raise ValidationError(_("This customer is already lost."), code="already_lost")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    pending = LostRequest.objects.filter(customer=customer, status=LostRequest.Status.PENDING).first()
    if pending is not None:
        raise ValidationError(_("A lost request for this customer is already waiting for a manager."), code="pending")
    request = LostRequest.objects.create(
        customer=customer, reason=reason, competitor=competitor, note=note.strip(), requested_by=by
    )
    events.lost_requested_event(request=request, by=by)
    if _is_manager(by):
        lost_request_approve(lost_request=request, by=by)
        request.refresh_from_db()
    return request


@transaction.atomic
def lost_request_approve(*, lost_request: LostRequest, by) -> bool:
    """The customer becomes F, with the reason in the grade history. False if already decided."""
    updated = LostRequest.objects.filter(pk=lost_request.pk, status=LostRequest.Status.PENDING).update(
        status=LostRequest.Status.APPROVED, decided_by=by, decided_at=timezone.now()
    )
    if not updated:
        return False
    lost_request.refresh_from_db()
    customer = Customer.objects.select_for_update().get(pk=lost_request.customer_id)
    text = lost_request.summary
    if lost_request.note:
        text = f"{text}. {lost_request.note}"
    if customer.grade != Grade.F:
        _set_grade(customer=customer, old=customer.grade, new=Grade.F, by=by, reason=text[:300])
    events.lost_approved_event(request=lost_request, by=by)
    return True


@transaction.atomic
def lost_request_reject(*, lost_request: LostRequest, by, note: str = "") -> bool:
    """The customer stays in the pipeline; their consultant is told. False if already decided."""
    updated = LostRequest.objects.filter(pk=lost_request.pk, status=LostRequest.Status.PENDING).update(
        status=LostRequest.Status.REJECTED, decided_by=by, decided_at=timezone.now(), decision_note=note.strip()
    )
    if not updated:
        return False
    lost_request.refresh_from_db()
    customer = lost_request.customer
    events.lost_rejected_event(request=lost_request, grade=customer.grade, by=by)
    if lost_request.requested_by_id != getattr(by, "pk", None):
        Notification.objects.create(
            recipient_id=lost_request.requested_by_id,
            kind=Notification.Kind.LOST_REJECTED,
            customer=customer,
            actor=by,
        )
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


@transaction.atomic
def customers_reassign(*, customers, owner, by, note: str = "") -> int:
    """A manager gives customers to another consultant (one from the customer page, or many
    from the list, e.g. those of a consultant who left), in one transaction with bulk writes.

    Each customer moved gets "Consultant changed from X to Y by Z" on their timeline and a
    change-history row; the new consultant's clock starts now (``last_contact_at``, as for
    the 7-day rule in customer_set_owner). Each previous consultant gets one notification
    with the number taken from them, the new one a single notification with the number
    received. Open follow-up calls need no move: they hang off the customer, and My day lists
    the calls of the customer's current consultant. Returns the number of customers moved.
    """
    from simple_history.utils import bulk_update_with_history

    from dealership.notifications import forget_unread_count
    from leads.models import TimelineEvent

    if owner is None:
        raise ValidationError(_("Choose a consultant."), code="no_owner")
    note = note.strip()[:300]
    ids = customers.values("pk") if hasattr(customers, "values") else [c.pk for c in customers]
    locked = list(
        Customer.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .exclude(owner=owner)
        .select_related("owner")
        .order_by("pk")
    )
    if any(c.showroom_id != owner.showroom_id for c in locked):
        raise ValidationError(_("The consultant works in another showroom."), code="showroom")
    if not locked:
        return 0
    now = timezone.now()
    changes = []
    for customer in locked:
        changes.append((customer, customer.owner))
        customer.owner = owner
        customer.last_contact_at = now
        customer.updated_at = now
    reason = f"reassigned to {owner.username}"[:100]
    bulk_update_with_history(
        locked, Customer, ["owner", "last_contact_at", "updated_at"], batch_size=500,
        default_user=by, default_change_reason=reason, default_date=now,
    )
    TimelineEvent.objects.bulk_create(
        events.owners_changed_events(changes=changes, by=by, note=note, when=now), batch_size=500
    )
    taken: dict = {}
    for _customer, old_owner in changes:
        if old_owner is not None:
            taken.setdefault(old_owner.pk, [old_owner, 0])[1] += 1
    notifications = [
        Notification(
            recipient=old_owner, kind=Notification.Kind.CUSTOMERS_REASSIGNED, actor=by, created_at=now,
            customer=changes[0][0] if len(changes) == 1 else None,
            data={"count": count, "other": owner.display_name},
        )
        for old_owner, count in taken.values()
        if old_owner != by
    ]
    if owner != by:
        previous = sorted({old.display_name for old, _count in taken.values()})
        if any(old is None for _c, old in changes):
            previous.append(str(_("no consultant")))
        notifications.append(
            Notification(
                recipient=owner, kind=Notification.Kind.CUSTOMERS_ASSIGNED, actor=by, created_at=now,
                customer=changes[0][0] if len(changes) == 1 else None,
                data={"count": len(changes), "other": ", ".join(previous)[:200]},
            )
        )
    Notification.objects.bulk_create(notifications)  # bulk: no post_save, so clear the counts here
    for n in notifications:
        forget_unread_count(n.recipient_id)
    return len(changes)


@transaction.atomic
def customer_set_owner_car(*, customer: Customer, by, purchase_date, vehicle: str, plate: str) -> bool:
    """An owner's car: purchase date, model bought and licence plate (stored upper-case without
    spaces). Recorded in the change history. False when nothing changed."""
    from leads.models import normalise_plate

    values = {"purchase_date": purchase_date, "vehicle": (vehicle or "").strip()[:100],
              "plate": normalise_plate(plate)[:20]}
    changed = [key for key, value in values.items() if getattr(customer, key) != value]
    if not changed:
        return False
    for key in changed:
        setattr(customer, key, values[key])
    customer._history_user = by
    customer.save(update_fields=[*changed, "updated_at"])
    return True


@transaction.atomic
def customer_set_do_not_call(*, customer: Customer, by) -> bool:
    """The customer asked not to be called: flag them and cancel their open follow-up calls."""
    if customer.do_not_call:
        return False
    customer.do_not_call = True
    customer.save(update_fields=["do_not_call", "updated_at"])
    follow_up_call_schedule(customer=customer, by=by)
    return True


def customer_touch(*, customer: Customer, by) -> None:
    """Record a contact; only the owning consultant's contacts count for the 7-day rule."""
    if by is not None and customer.owner_id == by.pk:
        customer.last_contact_at = timezone.now()
        customer.save(update_fields=["last_contact_at", "updated_at"])


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    by,
    name: str,
    mobile,
    sms_consent: bool,
    language: str,
    source: str | None = None,
    referred_by_customer: Customer | None = None,
    referred_by_staff=None,
) -> Customer:
    """Edit contact data. A mobile that belongs to another customer raises DuplicateMobile.

    With ``source`` (not None) the source and referrer are set too (customer_set_source)."""
    if source is not None:
        customer_set_source(
            customer=customer,
            source=source,
            referred_by_customer=referred_by_customer,
            referred_by_staff=referred_by_staff,
            by=by,
        )
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


@transaction.atomic
def customer_set_source(
    *, customer: Customer, source: str, by, referred_by_customer: Customer | None = None, referred_by_staff=None
) -> bool:
    """Set the customer's lead source and who referred them; on the timeline when it changes.

    The source is one of the showroom's active sources (or the customer's current one); a source
    that needs a referrer needs exactly one: a customer of the same showroom or a staff member
    of it. Returns False when nothing changed."""
    lead_source = check_source(showroom_id=customer.showroom_id, code=source, current=customer.source)
    check_referrer(
        showroom_id=customer.showroom_id,
        needs_referrer=lead_source is not None and lead_source.needs_referrer,
        customer=customer,
        referred_by_customer=referred_by_customer,
        referred_by_staff=referred_by_staff,
    )
    old = customer.source
    old_name = events.custom_source_name(showroom_id=customer.showroom_id, code=old)
    changed = (
        old != source
        or customer.referred_by_customer_id != (referred_by_customer.pk if referred_by_customer else None)
        or customer.referred_by_staff_id != (referred_by_staff.pk if referred_by_staff else None)
    )
    if not changed:
        return False
    customer.source = source
    customer.referred_by_customer = referred_by_customer
    customer.referred_by_staff = referred_by_staff
    customer.save(update_fields=["source", "referred_by_customer", "referred_by_staff", "updated_at"])
    events.source_changed_event(customer=customer, old=old, old_name=old_name, lead_source=lead_source, by=by)
    return True


# ---------------------------------------------------------------- merging duplicates

ACTIVE_REMINDER_STATUSES = ("pending", "claimed", "sending")


def _rows_pointing_at(customer: Customer):
    """(model, field name) of every foreign key to Customer, hidden ones (related_name="+")
    included, history tables left out: a merge moves what these hold, so an FK added later
    is moved too instead of cascading away or blocking the delete."""
    from simple_history.models import HistoricalChanges

    for rel in Customer._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        if issubclass(rel.related_model, HistoricalChanges):
            continue  # the duplicate's history stays under its id
        yield rel.related_model, rel.field.name


@transaction.atomic
def customers_merge(*, survivor: Customer, duplicate: Customer, by) -> dict:
    """Fold ``duplicate`` into ``survivor`` and delete it.

    The survivor keeps its values; its blanks (name, mobile, source, consultant) are filled
    from the duplicate. Visits (with their history), reminders, grade changes, timeline
    entries, notifications and any other row pointing at the duplicate move to the survivor.
    A pending reminder whose key (``<kind>:customer:<id>:<day>``) the survivor already has is
    cancelled instead, so nothing is sent twice. The survivor's timeline and change history
    record the merge with the counts moved; the duplicate's history stays under its id.
    Returns the counts.
    """
    from simple_history.utils import bulk_update_with_history

    from followup.models import Reminder
    from followup.services import reminder_cancel
    from leads.models import TimelineEvent
    from showroom.models import Visit

    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A customer cannot be merged with itself."), code="same_customer")
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update(of=("self",))  # not the outer-joined owner
        .filter(pk__in=[survivor.pk, duplicate.pk])
        .order_by("pk")
        .select_related("owner")
    }
    if len(locked) != 2:
        raise ValidationError(_("One of the customers no longer exists."), code="gone")
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    if survivor.showroom_id != duplicate.showroom_id:
        raise ValidationError(_("Only customers of the same showroom can be merged."), code="showroom")

    counts = {"visits": 0, "reminders": 0, "reminders_cancelled": 0, "grade_changes": 0,
              "timeline_events": 0, "notifications": 0, "other": 0}

    visits = list(Visit.objects.filter(customer=duplicate))
    for visit in visits:
        visit.customer = survivor
    if visits:
        bulk_update_with_history(visits, Visit, ["customer"], default_user=by,
                                 default_change_reason=f"merged #{duplicate.pk} into #{survivor.pk}")
    counts["visits"] = len(visits)

    reminders = list(Reminder.objects.filter(customer=duplicate))
    old_part, new_part = f":customer:{duplicate.pk}:", f":customer:{survivor.pk}:"
    rekeyed = {r.pk: r.idempotency_key.replace(old_part, new_part) for r in reminders
               if r.status == Reminder.Status.PENDING and old_part in r.idempotency_key}
    taken = set(Reminder.objects.filter(idempotency_key__in=rekeyed.values()).values_list(
        "idempotency_key", flat=True))
    to_cancel = [r for r in reminders if r.pk in rekeyed and rekeyed[r.pk] in taken]
    for r in reminders:
        r.customer = survivor
        if r.pk in rekeyed and rekeyed[r.pk] not in taken:
            r.idempotency_key = rekeyed[r.pk]
    Reminder.objects.bulk_update(reminders, ["customer", "idempotency_key"])
    for r in to_cancel:
        reminder_cancel(reminder=r, by=by)  # noted on the survivor's timeline
    counts["reminders"] = len(reminders)
    counts["reminders_cancelled"] = len(to_cancel)

    # One needs analysis per customer: when both have one, they are folded into the survivor's.
    from showroom.needs import needs_merge

    needs_merge(survivor=survivor, duplicate=duplicate, by=by)

    named = {GradeChange: "grade_changes", TimelineEvent: "timeline_events",
             Notification: "notifications", Reminder: None, Visit: None}
    for model, field in _rows_pointing_at(duplicate):
        if model in named and named[model] is None:
            continue
        moved = model._base_manager.filter(**{field: duplicate}).update(**{field: survivor})
        counts[named.get(model) or "other"] += moved

    # The survivor's blanks, filled from the duplicate; the later of the two last contacts.
    changed = []
    for field in ("name", "mobile", "source", "owner"):
        if not getattr(survivor, field) and getattr(duplicate, field):
            setattr(survivor, field, getattr(duplicate, field))
            changed.append(field)
    if duplicate.last_contact_at and (
        survivor.last_contact_at is None or duplicate.last_contact_at > survivor.last_contact_at
    ):
        survivor.last_contact_at = duplicate.last_contact_at
    # Who referred them: the duplicate's referrals moved above (survivor.referrals); a survivor
    # referred by the duplicate itself loses that referrer, and takes the duplicate's if it has none.
    if survivor.referred_by_customer_id == duplicate.pk:
        survivor.referred_by_customer_id = None
    if (
        survivor.referred_by_customer_id is None
        and survivor.referred_by_staff_id is None
        and duplicate.referred_by_customer_id != survivor.pk
    ):
        survivor.referred_by_customer_id = duplicate.referred_by_customer_id
        survivor.referred_by_staff_id = duplicate.referred_by_staff_id

    # Delete first: the mobile may move to the survivor, and it is unique per showroom.
    duplicate._history_user = by
    duplicate._change_reason = f"merged into #{survivor.pk}"
    duplicate_pk = duplicate.pk
    duplicate.delete()
    duplicate.pk = duplicate_pk
    survivor._history_user = by
    survivor._change_reason = f"merged #{duplicate_pk} into this customer"
    survivor.save()
    # One open follow-up call per customer, at the survivor's grade: the moved ones are replaced.
    follow_up_call_schedule(customer=survivor, by=by)
    events.customer_merged_event(survivor=survivor, duplicate=duplicate, counts=counts, by=by)
    return counts


# ---------------------------------------------------------------- importing lists


def import_batch_create(*, showroom: Showroom, by, upload, default_owner, default_source: str):
    """Keep an uploaded list for its preview: the file is checked as a whole (format, size,
    header row) and stored privately; no customer is touched. Raises ImportFileError."""
    from django.core.files.base import ContentFile

    from leads.imports import check_file
    from leads.models import ImportBatch

    data = upload.read()
    name = os.path.basename(upload.name or "")[:200]
    check_file(data, name)  # refuses an unreadable file now rather than at the preview
    batch = ImportBatch(
        showroom=showroom, created_by=by, file_name=name, default_owner=default_owner, default_source=default_source
    )
    batch.file.save(f"{uuid.uuid4().hex}{os.path.splitext(name)[1].lower()}", ContentFile(data), save=False)
    batch.save()
    return batch


def import_batch_preview(*, batch):
    from leads.imports import preview_rows

    with batch.file.open("rb") as handle:
        data = handle.read()
    return preview_rows(
        data=data,
        file_name=batch.file_name,
        showroom=batch.showroom,
        default_owner=batch.default_owner,
        default_source=batch.default_source,
    )


def _delete_file_on_commit(batch) -> None:
    """The list held personal data: once imported or discarded, only the database keeps it."""
    name, storage = batch.file.name, batch.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def import_batch_discard(*, batch, by) -> bool:
    from leads.models import ImportBatch

    if not ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
        status=ImportBatch.Status.DISCARDED, file=""
    ):
        return False
    _delete_file_on_commit(batch)
    return True


@transaction.atomic
def customers_import(*, batch, by) -> dict | None:
    """Import a previewed list, all or nothing: every row is checked again now; new customers
    are created (with their first grade, change history and an "Imported from" entry), a row
    whose mobile belongs to a customer of the showroom fills that customer's blanks (name,
    source, consultant, owner's car, referrer) and adds "Seen again in import" to their
    timeline; rows with errors
    are skipped. Returns the counts, or None if the batch was already imported or discarded.

    Bulk writes: a constant number of queries per few hundred rows, none per row.
    """
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from leads.models import ImportBatch, TimelineEvent

    locked = ImportBatch.objects.select_for_update().filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).first()
    if locked is None:
        return None
    batch = locked
    preview = import_batch_preview(batch=batch)
    now = timezone.now()
    reason = f"import #{batch.pk} {batch.file_name}"[:100]
    new_rows = [row for row in preview.rows if row.outcome == "new"]
    merge_rows = [row for row in preview.rows if row.outcome == "merge"]

    customers = [
        Customer(
            showroom=batch.showroom,
            owner=row.values["owner"],
            mobile=row.values["mobile"] or "",
            name=row.values["name"],
            source=row.values["source"],
            grade=row.values["grade"],
            sms_consent=row.values["sms_consent"],
            purchase_date=row.values["purchase_date"],
            vehicle=row.values["vehicle"],
            plate=row.values["plate"],
            referred_by_customer=row.values["referred_by_customer"],
            referred_by_staff=row.values["referred_by_staff"],
            last_contact_at=now if row.values["owner"] else None,  # as customer_create
        )
        for row in new_rows
    ]
    customers = bulk_create_with_history(
        customers, Customer, batch_size=500, default_user=by, default_change_reason=reason, default_date=now
    )
    GradeChange.objects.bulk_create(
        [GradeChange(customer=c, from_grade="", to_grade=c.grade, changed_by=by, changed_at=now) for c in customers],
        batch_size=500,
    )
    follow_up_calls_schedule_new(customers=customers, by=by, now=now)  # each grade's cadence, as customer_create
    entries = events.customers_imported_events(
        rows=list(zip(customers, [row.values["notes"] for row in new_rows], strict=True)), batch=batch, by=by, when=now,
        source_names=preview.custom_source_names,
    )

    updated = []
    for row in merge_rows:
        customer = row.existing
        for key in row.filled:
            setattr(customer, key, row.values[key])
        if row.filled:
            customer.updated_at = now
            updated.append(customer)
    if updated:
        bulk_update_with_history(
            updated, Customer, ["name", "source", "owner", "purchase_date", "vehicle", "plate", "referred_by_customer",
                                "referred_by_staff", "updated_at"],
            batch_size=500,
            default_user=by, default_change_reason=reason, default_date=now,
        )
    entries += events.customers_seen_in_import_events(rows=merge_rows, batch=batch, by=by, when=now)
    TimelineEvent.objects.bulk_create(entries, batch_size=500)

    counts = {"created": len(customers), "merged": len(merge_rows), "skipped": preview.count("error")}
    batch.status = ImportBatch.Status.IMPORTED
    batch.imported_at = now
    batch.created_count, batch.merged_count, batch.skipped_count = counts["created"], counts["merged"], counts["skipped"]
    _delete_file_on_commit(batch)
    batch.file = ""
    batch.save(update_fields=["status", "imported_at", "created_count", "merged_count", "skipped_count", "file"])
    return counts


# ---------------------------------------------------------------- prospecting plans


@transaction.atomic
def prospecting_plan_save(*, showroom: Showroom, month, targets: dict, by) -> int:
    """Save a showroom's targets for a month: ``targets`` maps a source code to (new
    customers, visits). Codes must be the showroom's sources; rows left at zero and never
    planned are not stored. Returns the number of rows created or changed."""
    month = month.replace(day=1)
    codes = set(LeadSource.objects.filter(showroom=showroom).values_list("code", flat=True))
    unknown = set(targets) - codes
    if unknown:
        raise ValidationError(_("Choose one of this showroom's lead sources."), code="invalid_source")
    existing = {
        plan.source: plan
        for plan in ProspectingPlan.objects.select_for_update().filter(showroom=showroom, month=month)
    }
    changed = 0
    for code, (customers, visits) in targets.items():
        if customers < 0 or visits < 0:
            raise ValidationError(_("Targets cannot be negative."), code="negative")
        plan = existing.get(code)
        if plan is None:
            if not customers and not visits:
                continue
            plan = ProspectingPlan(showroom=showroom, month=month, source=code)
        elif (plan.target_customers, plan.target_visits) == (customers, visits):
            continue
        plan.target_customers, plan.target_visits, plan.updated_by = customers, visits, by
        plan.save()  # one row per source (at most a few dozen), each with its change history
        changed += 1
    return changed
