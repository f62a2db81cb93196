"""The daily showroom checklists (DOMAIN section 4): who may see and fill which run, the reads
the pages need, and the writes — the day's runs, answers item by item, fixes carried from day
to day until done, and the manager's sign-off that locks the day.

Who sees (and fills) what, within their own showroom — anything else is a 404:

- managers (and group admins): every run, fix and photo; only they sign off and re-open a day
  and change a fix's owner;
- everyone on the showroom's staff: the showroom-wide runs (environment, opening, closing) —
  whoever opens or closes the showroom fills them, whatever their role;
- test-drive specialists: the test-drive car checks too;
- a consultant: their own readiness run (and no one else's).

A fix is seen (and closed) by whoever sees the run it came from, and by its owner.

A signed-off day is locked in these services, not just in the pages: an answer to one of its
runs, or completing one, raises ValidationError (code "locked") until a manager re-opens it.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dealership.models import Showroom, User
from dealership.roles import Role
from showroom.checklist_defaults import seed_templates
from showroom.models import (
    AnswerType,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistKind,
    ChecklistRun,
    ChecklistTemplate,
    DaySignOff,
    DutySlot,
    Fix,
    StockCar,
    StockStatus,
)

SHOWROOM_WIDE = (ChecklistKind.ENVIRONMENT, ChecklistKind.OPENING, ChecklistKind.CLOSING)
RETIRED_CAR_STATUSES = (StockStatus.SOLD, StockStatus.DELIVERED)
LOOK_BACK_DAYS = 7  # how far back the day's page looks for unfinished or unsigned days

# --- access ---------------------------------------------------------------------------------


def is_specialist(user) -> bool:
    return user.has_role(Role.TEST_DRIVE_SPECIALIST)


def may_sign_off(user) -> bool:
    return user.is_authenticated and (user.is_manager or user.is_group_admin)


def _visible_runs_q(user, prefix: str = "") -> Q:
    """The runs ``user`` sees, as a Q on ChecklistRun (``prefix`` leads from another model)."""
    if user.is_group_admin:
        return Q()
    q = Q(**{f"{prefix}showroom_id": user.showroom_id})
    if user.is_manager:
        return q
    kinds = list(SHOWROOM_WIDE)
    if is_specialist(user):
        kinds.append(ChecklistKind.TEST_DRIVE_CAR)
    return q & (Q(**{f"{prefix}template__kind__in": kinds}) | Q(**{f"{prefix}consultant_id": user.pk}))


def _has_scope(user) -> bool:
    return user.is_authenticated and (user.is_group_admin or user.showroom_id is not None)


def runs_for_user(user) -> QuerySet[ChecklistRun]:
    if not _has_scope(user):
        return ChecklistRun.objects.none()
    return ChecklistRun.objects.filter(_visible_runs_q(user))


def run_for_user(user, pk) -> ChecklistRun:
    """A run the user may see and fill; 404 otherwise."""
    try:
        return runs_for_user(user).select_related(*RUN_RELATED).get(pk=pk)
    except (ChecklistRun.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def answer_for_user(user, pk) -> ChecklistAnswer:
    """An answer (for its photo) of a run the user sees; 404 otherwise."""
    if not _has_scope(user):
        raise Http404
    try:
        return ChecklistAnswer.objects.filter(_visible_runs_q(user, "run__")).get(pk=pk)
    except (ChecklistAnswer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def fixes_for_user(user) -> QuerySet[Fix]:
    if not _has_scope(user):
        return Fix.objects.none()
    if user.is_group_admin:
        return Fix.objects.all()
    return Fix.objects.filter(showroom_id=user.showroom_id).filter(
        _visible_runs_q(user, "answer__run__") | Q(owner_id=user.pk)
    )


def fix_for_user(user, pk, *, for_manager: bool = False) -> Fix:
    """A fix the user may close (``for_manager``: reassign); 404 otherwise."""
    if for_manager and not may_sign_off(user):
        raise Http404
    try:
        return fixes_for_user(user).select_related(*FIX_RELATED).get(pk=pk)
    except (Fix.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def user_showroom(user) -> Showroom:
    """The showroom whose checklists the day's and history pages show: the user's own."""
    if not user.is_authenticated or user.showroom_id is None:
        raise Http404
    return user.showroom


# --- small facts ----------------------------------------------------------------------------


def local_today(showroom: Showroom, now=None) -> dt.date:
    return timezone.localdate(now or timezone.now(), showroom.tzinfo)


def day_bounds(showroom: Showroom, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of ``day`` and of the next day, in the showroom's time zone."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=showroom.tzinfo)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=showroom.tzinfo)


def day_sign_off_of(*, showroom_id: int, day: dt.date) -> DaySignOff | None:
    return DaySignOff.objects.filter(showroom_id=showroom_id, day=day).select_related("signed_by").first()


def run_subject(run: ChecklistRun) -> str:
    """What a run checks besides its template: a car (plate, model) or a consultant."""
    if run.car_id:
        car = run.car
        model = car.trim.vehicle_model.name if car.trim_id else ""
        return " · ".join(part for part in (car.plate or car.vin, model) if part)
    if run.consultant_id:
        return run.consultant.display_name
    return ""


def number_passes(item: ChecklistItem, number: Decimal) -> bool:
    return (item.min_ok is None or number >= item.min_ok) and (item.max_ok is None or number <= item.max_ok)


def _history(obj, by, now):
    obj._history_user = by
    if now is not None:
        obj._history_date = now


# --- seeding and the day's runs -------------------------------------------------------------


def checklist_templates_seed(*, showroom: Showroom, language: str | None = None) -> int:
    """Give a showroom the default checklists (DOMAIN section 4), in ``language`` (default
    settings.LANGUAGE_CODE); a kind the showroom has a template of already is kept."""
    return seed_templates(
        template_model=ChecklistTemplate, item_model=ChecklistItem, showroom=showroom, language=language
    )


def _subjects(*, showroom: Showroom, day: dt.date):
    """(template, subject, car, consultant) for every run ``day`` should have."""
    templates = list(ChecklistTemplate.objects.filter(showroom=showroom, is_active=True).order_by("position", "pk"))
    kinds = {t.kind for t in templates}
    cars = []
    if ChecklistKind.TEST_DRIVE_CAR in kinds:
        cars = list(
            StockCar.objects.filter(showroom=showroom, is_test_drive=True)
            .exclude(status__in=RETIRED_CAR_STATUSES)
            .order_by("pk")
        )
    consultants = []
    if ChecklistKind.CONSULTANT in kinds:
        consultants = [
            slot.consultant
            for slot in DutySlot.objects.filter(showroom=showroom, day=day, consultant__is_active=True)
            .select_related("consultant")
            .order_by("position", "pk")
        ]
    for template in templates:
        if template.kind == ChecklistKind.TEST_DRIVE_CAR:
            for car in cars:
                yield template, f"car:{car.pk}", car, None
        elif template.kind == ChecklistKind.CONSULTANT:
            for consultant in consultants:
                yield template, f"user:{consultant.pk}", None, consultant
        else:
            yield template, "", None, None


def checklist_runs_create(*, showroom: Showroom, day: dt.date) -> list[ChecklistRun]:
    """Create the runs ``day`` is missing: one per active template, per test-drive car (not
    sold or delivered) for the car check, per consultant on duty that day (DutySlot) for the
    readiness check. Idempotent — call it again after the duty roster changes and only the
    missing runs are created (the unique constraint settles a race); the readiness run of a
    consultant taken off duty goes too, unless someone has started it (its deletion is in the
    run's history). A signed-off day is locked: nothing changes. Returns the runs created."""
    if DaySignOff.objects.filter(showroom=showroom, day=day, is_signed=True).exists():
        return []
    wanted = list(_subjects(showroom=showroom, day=day))
    on_duty = [subject for _template, subject, _car, consultant in wanted if consultant is not None]
    untouched = ChecklistRun.objects.filter(
        showroom=showroom, day=day, template__kind=ChecklistKind.CONSULTANT, completed_at__isnull=True
    ).exclude(subject__in=on_duty).exclude(Exists(ChecklistAnswer.objects.filter(run=OuterRef("pk"))))
    for run in untouched:
        run.delete()
    existing = set(
        ChecklistRun.objects.filter(showroom=showroom, day=day).values_list("template_id", "subject")
    )
    created = []
    for template, subject, car, consultant in wanted:
        if (template.pk, subject) in existing:
            continue
        run, is_new = ChecklistRun.objects.get_or_create(
            template=template,
            day=day,
            subject=subject,
            defaults={"showroom": showroom, "car": car, "consultant": consultant},
        )
        if is_new:
            created.append(run)
    return created


def opened(*, showroom: Showroom, now=None) -> dt.date | None:
    """The showroom's local day if its opening time has come, else None."""
    local = timezone.localtime(now or timezone.now(), showroom.tzinfo)
    return local.date() if local.time() >= showroom.opens_at else None


def checklist_runs_create_when_open(*, showroom: Showroom, day: dt.date, now=None) -> list[ChecklistRun]:
    """checklist_runs_create, but only once the day's checklists have started: a past day, or
    today after opening time. For the duty roster: a consultant put on duty during the day
    gets their readiness run at once; a roster set before opening waits for the beat task."""
    today = opened(showroom=showroom, now=now)
    if today is None:
        if day >= local_today(showroom, now):
            return []
    elif day > today:
        return []
    return checklist_runs_create(showroom=showroom, day=day)


def checklist_runs_create_due(*, now=None) -> int:
    """For Celery beat, every few minutes: every showroom whose local time has reached its
    opening time gets today's missing runs (nothing is written when none is missing)."""
    created = 0
    for showroom in Showroom.objects.order_by("pk"):
        day = opened(showroom=showroom, now=now)
        if day is not None:
            created += len(checklist_runs_create(showroom=showroom, day=day))
    return created


# --- answers, completion and fixes ----------------------------------------------------------


def _check_unlocked(run: ChecklistRun) -> None:
    sign_off = day_sign_off_of(showroom_id=run.showroom_id, day=run.day)
    if sign_off is not None and sign_off.is_signed:
        raise ValidationError(
            _(
                "%(day)s was signed off by %(who)s: its checklists are locked. A manager can re-open "
                "the day (with a reason) to change them."
            )
            % {"day": run.day.isoformat(), "who": sign_off.signed_by.display_name},
            code="locked",
        )


def _lock_run(run: ChecklistRun) -> ChecklistRun:
    """Take the run's row lock; day_sign_off takes the same locks, so an answer and the
    sign-off of its day never interleave."""
    return ChecklistRun.objects.select_for_update().select_related("template").get(pk=run.pk)


def _first_with_role(showroom_id: int, role: Role) -> User | None:
    return (
        User.objects.filter(showroom_id=showroom_id, is_active=True, groups__name=role.value).order_by("pk").first()
    )


def fix_owner_for(*, run: ChecklistRun, by) -> User | None:
    """Who puts a failed item right: the run's consultant (readiness); for a car, the
    test-drive specialist (the one who checked it, else the showroom's first); else — and when
    there is no specialist — the manager (the one who checked, else the showroom's first)."""
    if run.consultant_id:
        return run.consultant
    if run.template.kind == ChecklistKind.TEST_DRIVE_CAR:
        if by is not None and by.showroom_id == run.showroom_id and is_specialist(by):
            return by
        specialist = _first_with_role(run.showroom_id, Role.TEST_DRIVE_SPECIALIST)
        if specialist is not None:
            return specialist
    if by is not None and by.showroom_id == run.showroom_id and by.is_manager:
        return by
    return _first_with_role(run.showroom_id, Role.SALES_MANAGER)


@transaction.atomic
def checklist_answer_save(
    *,
    run: ChecklistRun,
    item: ChecklistItem,
    passed: bool | None = None,
    number: Decimal | None = None,
    text: str = "",
    note: str = "",
    photo=None,
    by,
    now=None,
) -> ChecklistAnswer:
    """Record one item of a run: pass/fail, a number (it passes inside the item's range) or a
    text. Answering the same item again updates its one answer (its history is kept). A fail
    opens a fix (owner: fix_owner_for), a pass closes the item's open fix. A fail of an item
    that needs a photo needs one (a photo already on the answer counts). Nothing is saved when
    anything is refused (ValidationError keyed by field; "locked" for a signed-off day)."""
    now = now or timezone.now()
    run = _lock_run(run)
    if item.template_id != run.template_id or not item.is_active:
        raise ValidationError({"item": _("This item is not on this checklist.")}, code="invalid_item")
    _check_unlocked(run)
    text, note = (text or "").strip(), (note or "").strip()
    if item.answer_type == AnswerType.PASS_FAIL:
        if passed is None:
            raise ValidationError({"passed": _("Choose pass or fail.")}, code="required")
        number, text = None, ""
    elif item.answer_type == AnswerType.NUMBER:
        if number is None:
            raise ValidationError({"number": _("Enter the number.")}, code="required")
        passed, text = number_passes(item, number), ""
    else:
        if not text:
            raise ValidationError({"text": _("Write the answer.")}, code="required")
        passed, number = None, None
    answer = ChecklistAnswer.objects.select_for_update().filter(run=run, item=item).first()
    if answer is None:
        answer = ChecklistAnswer(run=run, item=item)
    if passed is False and item.photo_on_fail and not photo and not answer.photo:
        raise ValidationError(
            {"photo": _("This item failed: take a photo of it (a photo is required when it fails).")},
            code="photo_required",
        )
    answer.passed, answer.number, answer.text, answer.note = passed, number, text, note
    if photo:
        answer.photo = photo
    answer.answered_by, answer.answered_at = by, now
    _history(answer, by, now)
    answer.save()
    _fix_follow(answer=answer, run=run, by=by, now=now)
    return answer


def _fix_follow(*, answer: ChecklistAnswer, run: ChecklistRun, by, now) -> None:
    fix = Fix.objects.select_for_update().filter(answer=answer).first()
    if answer.passed is False:
        if fix is None:
            fix = Fix(
                showroom_id=run.showroom_id,
                answer=answer,
                opened_on=run.day,
                owner=fix_owner_for(run=run, by=by),
                description=answer.note,
            )
        elif fix.fixed_at is not None:  # it failed again: the same fix is open again
            fix.fixed_at, fix.fixed_by, fix.fix_note = None, None, ""
        else:
            return
        _history(fix, by, now)
        fix.save()
    elif fix is not None and fix.fixed_at is None:
        fix.fixed_at, fix.fixed_by = now, by
        fix.fix_note = _("Passed when checked again.")
        _history(fix, by, now)
        fix.save()


def missing_items(run: ChecklistRun) -> list[ChecklistItem]:
    answered = ChecklistAnswer.objects.filter(run=run, answered_at__isnull=False).values("item_id")
    return list(run.template.items.filter(is_active=True).exclude(pk__in=answered))


@transaction.atomic
def checklist_run_complete(*, run: ChecklistRun, by, now=None) -> bool:
    """Mark a run completed once every active item is answered. False if it was already
    completed (a second submission changes nothing)."""
    run = _lock_run(run)
    _check_unlocked(run)
    if run.completed_at is not None:
        return False
    missing = missing_items(run)
    if missing:
        raise ValidationError(
            ngettext(
                "%(count)s item is not answered yet: %(items)s.",
                "%(count)s items are not answered yet: %(items)s.",
                len(missing),
            )
            % {"count": len(missing), "items": "; ".join(i.text for i in missing)},
            code="incomplete",
        )
    now = now or timezone.now()
    run.completed_at, run.completed_by = now, by
    _history(run, by, now)
    run.save(update_fields=["completed_at", "completed_by", "updated_at"])
    return True


@transaction.atomic
def fix_close(*, fix: Fix, by, note: str, now=None) -> bool:
    """Record that a fix was put right: who, when and how. False if it was fixed already."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say how it was fixed.")}, code="required")
    fix = Fix.objects.select_for_update().get(pk=fix.pk)
    if fix.fixed_at is not None:
        return False
    now = now or timezone.now()
    fix.fixed_at, fix.fixed_by, fix.fix_note = now, by, note
    _history(fix, by, now)
    fix.save()
    return True


@transaction.atomic
def fix_update(*, fix: Fix, owner: User | None, description: str, by, now=None) -> Fix:
    """A manager gives a fix to someone else of the showroom, or rewords it."""
    if owner is not None and owner.showroom_id != fix.showroom_id:
        raise ValidationError({"owner": _("Choose someone of this showroom.")}, code="invalid_owner")
    fix = Fix.objects.select_for_update().get(pk=fix.pk)
    fix.owner, fix.description = owner, (description or "").strip()
    _history(fix, by, now)
    fix.save()
    return fix


# --- sign-off -------------------------------------------------------------------------------


def _check_manager(user, showroom: Showroom) -> None:
    if not (user.is_group_admin or (user.is_manager and user.showroom_id == showroom.pk)):
        raise PermissionDenied(_("Only the showroom's managers sign off and re-open a day."))


@dataclass
class SignOffResult:
    sign_off: DaySignOff
    changed: bool


@transaction.atomic
def day_sign_off(*, showroom: Showroom, day: dt.date, by, note: str = "", now=None) -> SignOffResult:
    """The manager signs the day off: its checklists are locked from now on. Signing a day
    signed already changes nothing (changed=False). A day still to come cannot be signed."""
    _check_manager(by, showroom)
    now = now or timezone.now()
    if day > local_today(showroom, now):
        raise ValidationError({"day": _("A day still to come cannot be signed off.")}, code="future")
    # The runs' row locks: an answer being saved finishes first, later ones see the sign-off.
    list(ChecklistRun.objects.select_for_update().filter(showroom=showroom, day=day).values_list("pk", flat=True))
    sign_off = DaySignOff.objects.select_for_update().filter(showroom=showroom, day=day).first()
    if sign_off is not None and sign_off.is_signed:
        return SignOffResult(sign_off, False)
    if sign_off is None:
        sign_off = DaySignOff(showroom=showroom, day=day)
    sign_off.is_signed, sign_off.signed_by, sign_off.signed_at = True, by, now
    sign_off.note, sign_off.reopen_reason = (note or "").strip(), ""
    _history(sign_off, by, now)
    sign_off.save()
    return SignOffResult(sign_off, True)


@transaction.atomic
def day_reopen(*, showroom: Showroom, day: dt.date, by, reason: str, now=None) -> SignOffResult | None:
    """Re-open a signed-off day so its checklists can be changed; the reason is required and
    stays in the sign-off's history. None if the day was not signed off."""
    _check_manager(by, showroom)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the day is re-opened.")}, code="required")
    sign_off = DaySignOff.objects.select_for_update().filter(showroom=showroom, day=day).first()
    if sign_off is None:
        return None
    if not sign_off.is_signed:
        return SignOffResult(sign_off, False)
    sign_off.is_signed, sign_off.reopen_reason = False, reason
    _history(sign_off, by, now or timezone.now())
    sign_off.save()
    return SignOffResult(sign_off, True)


# --- selectors ------------------------------------------------------------------------------

RUN_RELATED = (
    "template",
    "showroom",
    "car__trim__vehicle_model",
    "consultant",
    "completed_by",
)
FIX_RELATED = (
    "owner",
    "fixed_by",
    "answer__item",
    "answer__answered_by",
    "answer__run__template",
    "answer__run__car__trim__vehicle_model",
    "answer__run__consultant",
)


def _active_item_count():
    return Coalesce(
        Subquery(
            ChecklistItem.objects.filter(template=OuterRef("template"), is_active=True)
            .order_by()
            .values("template")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def day_runs(*, user, showroom: Showroom, day: dt.date) -> list[ChecklistRun]:
    """The day's runs the user sees, each with ``item_count``, ``answered_count`` and
    ``failed_count``, in the order the user works them: a test-drive specialist's car checks
    first, a consultant's own readiness run first, a manager's in the templates' order.
    One query."""
    runs = list(
        runs_for_user(user)
        .filter(showroom=showroom, day=day)
        .select_related(*RUN_RELATED)
        .annotate(
            item_count=_active_item_count(),
            answered_count=Count(
                "answers", filter=Q(answers__answered_at__isnull=False, answers__item__is_active=True)
            ),
            failed_count=Count("answers", filter=Q(answers__passed=False, answers__item__is_active=True)),
        )
        .order_by("template__position", "template_id", "pk")
    )

    def first(run):
        if user.is_manager or user.is_group_admin:
            return 0
        if run.consultant_id == user.pk:
            return 0
        if is_specialist(user) and run.template.kind == ChecklistKind.TEST_DRIVE_CAR:
            return 0
        return 1

    runs.sort(key=first)  # stable: the templates' order within each group
    for run in runs:
        run.subject_label = run_subject(run)
    return runs


def open_fixes(*, user, showroom: Showroom, day: dt.date) -> QuerySet[Fix]:
    """Fixes the user sees that were open on ``day``: opened that day or before and not fixed
    before it began (today: every fix not fixed yet — the carry-over). Oldest first."""
    start, _end = day_bounds(showroom, day)
    return (
        fixes_for_user(user)
        .filter(showroom=showroom, opened_on__lte=day)
        .filter(Q(fixed_at__isnull=True) | Q(fixed_at__gte=start))
        .select_related(*FIX_RELATED)
        .order_by("opened_on", "pk")
    )


def earlier_days_to_finish(*, user, showroom: Showroom, day: dt.date) -> list[dict]:
    """The days of the last week before ``day`` with checklists not completed or not signed
    off, newest first: {"day", "open", "signed"}. One query."""
    since = day - dt.timedelta(days=LOOK_BACK_DAYS)
    signed = DaySignOff.objects.filter(showroom=showroom, day=OuterRef("day"), is_signed=True)
    rows = (
        runs_for_user(user)
        .filter(showroom=showroom, day__gte=since, day__lt=day)
        .values("day")
        .annotate(open=Count("pk", filter=Q(completed_at__isnull=True)), signed=Exists(signed))
        .order_by("-day")
    )
    return [
        {"day": r["day"], "open": r["open"], "signed": bool(r["signed"])}
        for r in rows
        if r["open"] or not r["signed"]
    ]


def sign_off_history(*, showroom: Showroom, day: dt.date) -> list[dict]:
    """Every sign-off and re-opening of the day, oldest first: {"action", "who", "when",
    "text"}, with action "signed" or "reopened". One query."""
    records = (
        DaySignOff.history.filter(showroom_id=showroom.pk, day=day)
        .select_related("history_user", "signed_by")
        .order_by("history_date", "history_id")
    )
    entries, was_signed = [], False
    for record in records:
        if record.is_signed and not was_signed:
            entries.append(
                {"action": "signed", "who": record.signed_by, "when": record.signed_at, "text": record.note}
            )
        elif was_signed and not record.is_signed:
            entries.append(
                {
                    "action": "reopened",
                    "who": record.history_user,
                    "when": record.history_date,
                    "text": record.reopen_reason,
                }
            )
        was_signed = record.is_signed
    return entries


@dataclass
class ItemRow:
    item: ChecklistItem
    answer: ChecklistAnswer | None

    @property
    def fix(self) -> Fix | None:
        return getattr(self.answer, "fix", None) if self.answer is not None else None


def run_rows(run: ChecklistRun) -> list[ItemRow]:
    """The run's items (active ones, and retired ones it has an answer to), each with its
    answer and that answer's fix. Two queries."""
    answers = {
        a.item_id: a
        for a in ChecklistAnswer.objects.filter(run=run).select_related("answered_by", "fix__owner", "fix__fixed_by")
    }
    items = ChecklistItem.objects.filter(template_id=run.template_id).filter(
        Q(is_active=True) | Q(pk__in=list(answers))
    ).order_by("position", "pk")
    return [ItemRow(item, answers.get(item.pk)) for item in items]


def run_row(run: ChecklistRun, item: ChecklistItem) -> ItemRow:
    answer = ChecklistAnswer.objects.filter(run=run, item=item).select_related(
        "answered_by", "fix__owner", "fix__fixed_by"
    ).first()
    return ItemRow(item, answer)


def run_progress(run: ChecklistRun) -> dict:
    """How far a run is: {"items", "answered", "failed"} (active items). Two queries."""
    counts = ChecklistAnswer.objects.filter(run=run, item__is_active=True).aggregate(
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        failed=Count("pk", filter=Q(passed=False)),
    )
    return {"items": ChecklistItem.objects.filter(template_id=run.template_id, is_active=True).count(), **counts}


# --- history: pass rates --------------------------------------------------------------------

SERIES_ITEM, SERIES_CONSULTANT = "item", "consultant"
BY_DAY, BY_WEEK = "day", "week"


def _buckets(start: dt.date, end: dt.date, by: str) -> list[dt.date]:
    if by == BY_DAY:
        return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    first = start - dt.timedelta(days=start.weekday())  # Monday, as TruncWeek
    return [first + dt.timedelta(weeks=n) for n in range((end - first).days // 7 + 1)]


def _rate(passed: int, total: int) -> float | None:
    return round(100 * passed / total, 1) if total else None


def pass_rates(
    *, showroom: Showroom, template: ChecklistTemplate, start: dt.date, end: dt.date, by: str, series: str
) -> dict:
    """Pass rates of ``template``'s answers from ``start`` to ``end`` (the runs' days), per day
    or per (ISO) week, per item or per consultant (the run's consultant for readiness, else
    who answered). Text answers have no pass or fail and are not counted.

    Returns {"buckets": [date], "overall": [cell], "series": [{"key", "label", "cells",
    "total"}], "total": cell}, a cell being {"passed", "answered", "rate"} (rate in percent,
    None without answers). Aggregated in SQL: three queries, whatever the number of days."""
    answers = ChecklistAnswer.objects.filter(
        run__showroom=showroom, run__template=template, run__day__gte=start, run__day__lte=end, passed__isnull=False
    )
    bucket = F("run__day") if by == BY_DAY else TruncWeek("run__day")
    key = F("item_id") if series == SERIES_ITEM else Coalesce("run__consultant_id", "answered_by_id")
    rows = list(
        answers.annotate(bucket=bucket, key=key)
        .values("bucket", "key")
        .annotate(answered=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
        .order_by()
    )
    buckets = _buckets(start, end, by)
    index = {b: n for n, b in enumerate(buckets)}
    counts: dict = defaultdict(lambda: [[0, 0] for _ in buckets])
    for row in rows:
        when = row["bucket"].date() if isinstance(row["bucket"], dt.datetime) else row["bucket"]
        cell = counts[row["key"]][index[when]]
        cell[0] += row["passed"]
        cell[1] += row["answered"]

    if series == SERIES_ITEM:
        members = [
            (item.pk, item.text)
            for item in ChecklistItem.objects.filter(template=template)
            .filter(Q(is_active=True) | Q(pk__in=[k for k in counts if k is not None]))
            .exclude(answer_type=AnswerType.TEXT)
            .order_by("position", "pk")
        ]
    else:
        people = User.objects.filter(pk__in=[k for k in counts if k is not None]).order_by("first_name", "username")
        members = [(user.pk, user.display_name) for user in people]
        if None in counts:
            members.append((None, _("Unknown")))

    def cell(passed, answered):
        return {"passed": passed, "answered": answered, "rate": _rate(passed, answered)}

    out_series = []
    overall = [[0, 0] for _ in buckets]
    for key, label in members:
        cells = counts.get(key) or [[0, 0] for _ in buckets]
        for n, (p, a) in enumerate(cells):
            overall[n][0] += p
            overall[n][1] += a
        out_series.append(
            {
                "key": key,
                "label": label,
                "cells": [cell(p, a) for p, a in cells],
                "total": cell(sum(p for p, _a in cells), sum(a for _p, a in cells)),
            }
        )
    return {
        "buckets": buckets,
        "overall": [cell(p, a) for p, a in overall],
        "series": out_series,
        "total": cell(sum(p for p, _a in overall), sum(a for _p, a in overall)),
    }


def chart_data(rates: dict, *, by: str, overall_label: str) -> dict:
    """What static/js/app.js draws (Chart.js line chart): labels and one dataset per series
    plus the overall rate, in percent (null: no answers)."""
    labels = [b.isoformat() for b in rates["buckets"]]
    datasets = [{"label": overall_label, "data": [c["rate"] for c in rates["overall"]], "overall": True}]
    datasets += [{"label": s["label"], "data": [c["rate"] for c in s["cells"]]} for s in rates["series"]]
    return {"labels": labels, "datasets": datasets, "by": by}
