"""Needs analysis (5W2H, DOMAIN section 6): the rules, the service that saves a revision and the
selectors of the customer page's summary and the revision history.

One NeedsAnalysis per customer, revised as the customer's needs become clearer. Every revision
is one django-simple-history record (its models and trims of interest included) and one
"Needs analysis updated by …: <fields>" entry on the customer's timeline; a revision that
changes nothing writes neither. The purchase timeframe proposes an intent grade, applied only
when the consultant asks, through leads' grade-change service.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from leads.models import Customer
from leads.services import LIVE_GRADES, customer_change_grade
from showroom import events
from showroom.models import NeedsAnalysis, Timeframe, VehicleModel

# The fields a consultant fills in, in the form's order (Who, When, Where, What, Why, How, How much).
TEXT_FIELDS = (
    "buyer",
    "decision_maker",
    "influencers",
    "timeframe",
    "purchase_place",
    "heard_from",
    "features_wanted",
    "competitor_models",
    "main_use",
    "needs",
    "payment",
    "trade_in_vehicle",
)
ORDER = (
    "buyer",
    "decision_maker",
    "influencers",
    "timeframe",
    "purchase_place",
    "heard_from",
    "models_of_interest",
    "trims_of_interest",
    "features_wanted",
    "competitor_models",
    "main_use",
    "needs",
    "payment",
    "trade_in",
    "trade_in_vehicle",
    "budget_min",
    "budget_max",
)
M2M_FIELDS = ("models_of_interest", "trims_of_interest")
BUDGET_LIMIT = 100_000_000  # CNY; a typo guard, well inside the database's integer range


def field_label(name: str) -> str:
    """The field's name as the user reads it, in the active language."""
    return str(capfirst(NeedsAnalysis._meta.get_field(name).verbose_name))


def proposable(customer: Customer) -> bool:
    """Whether the timeframe may propose a grade: for a prospect (H, A, B, C) only. An order
    (O), an owner (D) or a lost customer (F) is not regraded by a timeframe: a lost customer is
    reactivated deliberately, from the grade form."""
    return customer.grade in LIVE_GRADES or not customer.grade


def _clean(data: dict) -> dict:
    """The submitted values with every field present and normalised."""
    values = {}
    for name in TEXT_FIELDS:
        values[name] = (data.get(name) or "").strip()
    values["trade_in"] = bool(data.get("trade_in"))
    for name in ("budget_min", "budget_max"):
        values[name] = data.get(name) if data.get(name) not in ("", None) else None
    values["models_of_interest"] = list(data.get("models_of_interest") or [])
    values["trims_of_interest"] = list(data.get("trims_of_interest") or [])
    return values


def needs_errors(data: dict, *, previous_ids: dict | None = None) -> dict:
    """What is wrong with ``data`` (a needs analysis as submitted), as {field: [message]}.

    Budgets are whole, non-negative yuan and the upper end is not below the lower end; trims of
    interest belong to a model of interest; a trade-in names the current car; a model or trim
    newly added is on sale (one chosen before and withdrawn since may stay)."""
    values = _clean(data)
    errors: dict[str, list] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    for name in ("budget_min", "budget_max"):
        value = values[name]
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            add(name, _("Write the budget as a whole number of yuan."))
        elif value < 0:
            add(name, _("A budget cannot be below zero."))
        elif value > BUDGET_LIMIT:
            add(name, _("A budget above %(limit)s yuan is surely a typo.") % {"limit": f"{BUDGET_LIMIT:,}"})
    low, high = values["budget_min"], values["budget_max"]
    if isinstance(low, int) and isinstance(high, int) and "budget_min" not in errors and high < low:
        add("budget_max", _("The budget's upper end (%(high)s) is below its lower end (%(low)s).") % {
            "high": f"{high:,}",
            "low": f"{low:,}",
        })
    if values["trade_in"] and not values["trade_in_vehicle"]:
        add("trade_in_vehicle", _("A trade-in: describe the current car (model, year, mileage)."))
    if values["timeframe"] and values["timeframe"] not in Timeframe.values:
        add("timeframe", _("Choose one of the timeframes offered."))

    models, trims = values["models_of_interest"], values["trims_of_interest"]
    model_ids = {m.pk for m in models}
    strays = [t for t in trims if t.vehicle_model_id not in model_ids]
    if strays:
        add(
            "trims_of_interest",
            _("%(trims)s: not a trim of a model of interest. Tick its model too, or untick the trim.")
            % {"trims": ", ".join(t.name for t in strays)},
        )
    before = previous_ids or {"models_of_interest": set(), "trims_of_interest": set()}
    withdrawn_models = [
        m for m in models
        if m.pk not in before["models_of_interest"] and not (m.is_active and m.series.is_active and m.series.brand.is_active)
    ]
    if withdrawn_models:
        add("models_of_interest", _("Not on sale: %(names)s.") % {"names": ", ".join(str(m) for m in withdrawn_models)})
    withdrawn_trims = [t for t in trims if t.pk not in before["trims_of_interest"] and not t.is_active]
    if withdrawn_trims:
        add("trims_of_interest", _("Not on sale: %(names)s.") % {"names": ", ".join(t.name for t in withdrawn_trims)})
    return errors


def _current_ids(needs: NeedsAnalysis | None) -> dict:
    if needs is None:
        return {"models_of_interest": set(), "trims_of_interest": set()}
    return {
        "models_of_interest": set(needs.models_of_interest.values_list("pk", flat=True)),
        "trims_of_interest": set(needs.trims_of_interest.values_list("pk", flat=True)),
    }


@dataclass
class NeedsSaved:
    needs: NeedsAnalysis | None
    changed: list = field(default_factory=list)  # field names
    grade_changed: bool = False

    @property
    def nothing_changed(self) -> bool:
        return not self.changed and not self.grade_changed


@transaction.atomic
def needs_save(*, customer: Customer, data: dict, by, apply_proposed_grade: bool = False) -> NeedsSaved:
    """Create or revise the customer's needs analysis from ``data`` (the form's cleaned data:
    every field of ORDER; missing ones count as empty). Raises ValidationError ({field: …})
    for the rules of needs_errors, saving nothing.

    A revision that changes something is saved as one history record (by ``by``) and one
    timeline entry naming the changed fields; one that changes nothing writes neither. With
    ``apply_proposed_grade``, a grade proposed by the timeframe and different from the
    customer's (a prospect's: see proposable) becomes the customer's grade, through
    leads.services.customer_change_grade (grade history, follow-up call of the new grade)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)  # one revision at a time
    needs = NeedsAnalysis.objects.filter(customer=customer).first()
    before = _current_ids(needs)
    errors = needs_errors(data, previous_ids=before)
    if errors:
        raise ValidationError(errors)
    values = _clean(data)

    changed = []
    for name in ORDER:
        if name in M2M_FIELDS:
            old, new = before[name], {obj.pk for obj in values[name]}
        else:
            old = getattr(needs, name) if needs is not None else NeedsAnalysis._meta.get_field(name).get_default()
            new = values[name]
        if old != new:
            changed.append(name)

    if changed:
        created = needs is None
        if created:
            needs = NeedsAnalysis(customer=customer)
        for name in ORDER:
            if name not in M2M_FIELDS:
                setattr(needs, name, values[name])
        needs.updated_by = by
        needs._history_user = by
        # One history record per revision, taken once the models and trims are set (each
        # m2m change would otherwise record a revision of its own).
        needs.skip_history_when_saving = True
        try:
            needs.save()
            needs.models_of_interest.set(values["models_of_interest"])
            needs.trims_of_interest.set(values["trims_of_interest"])
        finally:
            del needs.skip_history_when_saving
        needs.save(update_fields=["updated_at"])  # the history record, with the m2m as now
        if created:
            needs.history.update(history_type="+")  # recorded by an update: say it was the creation
        events.needs_recorded_event(customer=customer, needs=needs, by=by, changed=list(changed))

    grade_changed = False
    proposed = needs.proposed_grade if needs is not None else ""
    if apply_proposed_grade and proposed and proposable(customer) and proposed != customer.grade:
        grade_changed = customer_change_grade(
            customer=customer,
            grade=proposed,
            by=by,
            reason=_("Proposed by the needs analysis: %(timeframe)s.") % {"timeframe": needs.get_timeframe_display()},
        )
    return NeedsSaved(needs=needs, changed=changed, grade_changed=grade_changed)


@transaction.atomic
def needs_merge(*, survivor: Customer, duplicate: Customer, by) -> bool:
    """For leads.services.customers_merge, before it moves the duplicate's rows: a customer has
    one needs analysis, so when both have one, the survivor's keeps its answers, takes the
    duplicate's where it has none (a budget range, a trade-in with its car, as a pair) and the
    models and trims of interest of both (one revision, on the timeline); the duplicate's is
    deleted, its history kept under its id. Returns whether the two were folded together
    (with only the duplicate's, the merge simply moves it)."""
    theirs = NeedsAnalysis.objects.filter(customer=duplicate).first()
    ours = NeedsAnalysis.objects.filter(customer=survivor).first()
    if theirs is None or ours is None:
        return False
    data = {name: getattr(ours, name) or getattr(theirs, name) for name in TEXT_FIELDS if name != "trade_in_vehicle"}
    source = ours if ours.trade_in or not theirs.trade_in else theirs
    data.update(trade_in=source.trade_in, trade_in_vehicle=source.trade_in_vehicle)
    source = ours if ours.budget_min is not None or ours.budget_max is not None else theirs
    data.update(budget_min=source.budget_min, budget_max=source.budget_max)
    # The survivor's models and trims, and the duplicate's still on sale (a withdrawn one stays
    # in the duplicate's history): what needs_save accepts as a revision.
    models = list(ours.models_of_interest.select_related("series__brand"))
    models += [
        m for m in theirs.models_of_interest.select_related("series__brand")
        if m not in models and m.is_active and m.series.is_active and m.series.brand.is_active
    ]
    trims = list(ours.trims_of_interest.all())
    trims += [t for t in theirs.trims_of_interest.all() if t not in trims and t.is_active]
    data["models_of_interest"] = models
    data["trims_of_interest"] = [t for t in trims if t.vehicle_model_id in {m.pk for m in models}]
    theirs._history_user = by
    theirs.delete()
    needs_save(customer=survivor, data=data, by=by)
    return True


# --- reading ----------------------------------------------------------------------------------


def _models_of_interest_prefetch() -> Prefetch:
    return Prefetch("models_of_interest", queryset=VehicleModel.objects.select_related("series__brand").order_by("name"))


def needs_for_customer(*, customer: Customer) -> NeedsAnalysis | None:
    """The customer's needs analysis with its models of interest (named by brand): two queries,
    or one when the customer was loaded with it (select_related("needs", "needs__updated_by"),
    as the customer page does: showroom.panels.customer_page_queryset)."""
    if Customer.needs.is_cached(customer):
        needs = getattr(customer, "needs", None)  # None cached: no analysis, and no query
        if needs is not None:
            prefetch_related_objects([needs], _models_of_interest_prefetch())
        return needs
    return (
        NeedsAnalysis.objects.filter(customer=customer)
        .select_related("updated_by")
        .prefetch_related(_models_of_interest_prefetch())
        .first()
    )


def needs_revisions(*, customer: Customer):
    """The customer's needs revisions, newest first (the history of a record deleted with a
    merge stays with the customer it belonged to)."""
    return (
        NeedsAnalysis.history.filter(customer_id=customer.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def _m2m_history(name: str):
    return apps.get_model("showroom", f"HistoricalNeedsAnalysis_{name}")


def _display(name: str, value) -> str:
    if value in (None, ""):
        return ""
    model_field = NeedsAnalysis._meta.get_field(name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def revision_rows(*, customer: Customer, records) -> list[dict]:
    """Each revision of a page of needs_revisions with what changed, compared with the one
    before (simple-history's diff_against for the fields; the models and trims from their
    history rows). A fixed number of queries whatever the page's length: the revision before
    the page's oldest, and one per m2m history table."""
    records = list(records)
    if not records:
        return []
    oldest = records[-1]
    before_page = (
        NeedsAnalysis.history.filter(customer_id=customer.pk, id=oldest.id)
        .filter(
            Q(history_date__lt=oldest.history_date)
            | Q(history_date=oldest.history_date, history_id__lt=oldest.history_id)
        )
        .order_by("-history_date", "-history_id")
        .first()
    )
    chain = records + ([before_page] if before_page is not None else [])
    ids = [r.history_id for r in chain]
    m2m = {name: {r.history_id: [] for r in chain} for name in M2M_FIELDS}
    for row in _m2m_history("models_of_interest").objects.filter(history_id__in=ids).select_related(
        "vehiclemodel__series__brand"
    ):
        m2m["models_of_interest"][row.history_id].append(row.vehiclemodel)
    for row in _m2m_history("trims_of_interest").objects.filter(history_id__in=ids).select_related("trim"):
        m2m["trims_of_interest"][row.history_id].append(row.trim)

    def names(objs, name):
        return sorted(
            (str(o) if name == "models_of_interest" else o.name) if o is not None else _("(deleted)") for o in objs
        )

    hidden = ["id", "customer", "created_at", "updated_by", *M2M_FIELDS]
    rows = []
    for index, record in enumerate(records):
        previous = chain[index + 1] if index + 1 < len(chain) else None
        if previous is not None and previous.id != record.id:
            previous = None  # another record (the needs were deleted and started again)
        changes = []
        if previous is None:
            for name in ORDER:
                if name in M2M_FIELDS:
                    new = ", ".join(names(m2m[name][record.history_id], name))
                else:
                    new = _display(name, getattr(record, name))
                if new and new != _("no"):
                    changes.append({"label": field_label(name), "old": "", "new": new})
        else:
            delta = record.diff_against(previous, excluded_fields=hidden)
            by_field = {change.field: change for change in delta.changes}
            for name in ORDER:
                if name in M2M_FIELDS:
                    old = names(m2m[name][previous.history_id], name)
                    new = names(m2m[name][record.history_id], name)
                    if old != new:
                        changes.append({"label": field_label(name), "old": ", ".join(old), "new": ", ".join(new)})
                elif name in by_field:
                    change = by_field[name]
                    changes.append(
                        {"label": field_label(name), "old": _display(name, change.old), "new": _display(name, change.new)}
                    )
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "created": previous is None,
                "changes": changes,
            }
        )
    return rows


def needs_panel(*, customer: Customer, user) -> dict:
    """The needs summary on the customer page (templates/showroom/_customer_needs.html): one
    query for the models of interest, the record itself coming with the customer."""
    from leads.access import can_edit_customer

    return {
        "needs": needs_for_customer(customer=customer),
        "can_edit_needs": can_edit_customer(user, customer),
        "needs_proposable": proposable(customer),
    }

