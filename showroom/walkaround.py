"""The six-point walkaround (DOMAIN section 7): who may open and record one, the reads the
pages need, and the writes (start, save a position, finish).

A walkaround (Presentation) belongs to a visit. Whoever sees the visit sees its walkarounds;
the visit's consultant and the showroom's managers record them (anyone else gets a 404, like
the visit's own pages).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from showroom import events
from showroom.access import visit_for_user, visits_for_user
from showroom.models import (
    POSITION_TOPICS,
    Interest,
    NeedsAnalysis,
    Presentation,
    PresentationPoint,
    SellingPoint,
    Visit,
    WalkaroundPosition,
)

POSITIONS = tuple(WalkaroundPosition.values)  # 1 … 6

# --- access -------------------------------------------------------------------------------


def may_record(user, visit: Visit) -> bool:
    """The visit's consultant and the managers of its showroom (group admins too) record its
    walkarounds. ``visit`` was loaded through the access helpers, so its showroom is the user's."""
    return user.is_group_admin or user.is_manager or visit.consultant_id == user.pk


def visit_for_walkaround(user, pk) -> Visit:
    """A visit the user may record a walkaround on; 404 otherwise."""
    visit = visit_for_user(user, pk, for_edit=True)
    if not may_record(user, visit):
        raise Http404
    return visit


def presentations_for_user(user) -> QuerySet[Presentation]:
    """Walkarounds of the visits the user sees (showroom and role as in visits_for_user)."""
    return Presentation.objects.filter(visit__in=visits_for_user(user))


def presentation_for_user(user, pk, *, for_edit: bool = False) -> Presentation:
    qs = presentations_for_user(user)
    if for_edit and not (user.is_group_admin or user.is_manager):
        qs = qs.filter(visit__consultant=user)
    try:
        return qs.select_related(
            "visit__customer", "visit__consultant", "visit__showroom", "consultant", "vehicle_model__series__brand"
        ).get(pk=pk)
    except (Presentation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- selectors ----------------------------------------------------------------------------


def presentations_prefetch(lookup: str = "presentations") -> Prefetch:
    """For lists of visits: each visit's walkarounds with their model, in one query."""
    return Prefetch(
        lookup,
        queryset=Presentation.objects.select_related("vehicle_model__series__brand").order_by("created_at", "pk"),
    )


def with_visit_steps(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    """Annotate each visit with the sales steps done so far (for a funnel or a board):
    ``has_needs`` (the customer has a needs analysis) and ``has_presentation`` (a walkaround of
    this visit presented at least one position). Two EXISTS subqueries, no query per row."""
    return visits.annotate(
        has_needs=Exists(NeedsAnalysis.objects.filter(customer_id=OuterRef("customer_id"))),
        has_presentation=Exists(
            PresentationPoint.objects.filter(presentation__visit_id=OuterRef("pk"), presented=True)
        ),
    )


def _with_summary(qs: QuerySet[Presentation]) -> QuerySet[Presentation]:
    """Each walkaround's number of positions presented (``presented_count``) and, per position,
    whether the customer was very interested (``high_1`` … ``high_6``): one query, grouped."""
    high = {
        f"high_{p}": Count("points", filter=Q(points__position=p, points__interest=Interest.HIGH)) for p in POSITIONS
    }
    return qs.annotate(presented_count=Count("points", filter=Q(points__presented=True)), **high)


def _summarised(presentations) -> list[Presentation]:
    """The rows of _with_summary, each with ``high_interest``: the labels of the positions the
    customer was very interested in, in walkaround order."""
    rows = list(presentations)
    for row in rows:
        row.high_interest = [WalkaroundPosition(p).label for p in POSITIONS if getattr(row, f"high_{p}")]
    return rows


def customer_walkarounds(*, customer, limit: int = 20) -> list[Presentation]:
    """The customer's walkarounds, newest first, summarised, in one query."""
    qs = Presentation.objects.filter(visit__customer=customer).select_related(
        "vehicle_model__series__brand", "consultant", "visit"
    )
    return _summarised(_with_summary(qs).order_by("-created_at", "-pk")[:limit])


def visit_walkarounds(*, visit) -> list[Presentation]:
    qs = Presentation.objects.filter(visit=visit).select_related("vehicle_model__series__brand")
    return _summarised(_with_summary(qs).order_by("created_at", "pk"))


def walkaround_page(*, presentation: Presentation, position: int | None) -> dict:
    """Everything the walkaround page shows for one position, in a constant number of queries:
    the stepper (each position's saved state) and the position's selling points."""
    points = {
        p.position: p
        for p in PresentationPoint.objects.filter(presentation=presentation).prefetch_related("selling_points")
    }
    if position not in POSITIONS:
        position = next((p for p in POSITIONS if p not in points), POSITIONS[0])
    selling_points = list(
        SellingPoint.objects.filter(vehicle_model_id=presentation.vehicle_model_id, position=position)
    )
    steps = [
        {
            "position": p,
            "label": WalkaroundPosition(p).label,
            "topics": POSITION_TOPICS[p],
            "point": points.get(p),
            "current": p == position,
        }
        for p in POSITIONS
    ]
    point = points.get(position)
    return {
        "position": position,
        "position_label": WalkaroundPosition(position).label,
        "topics": POSITION_TOPICS[position],
        "steps": steps,
        "point": point,
        "selling_points": selling_points,
        "shown_ids": {sp.pk for sp in point.selling_points.all()} if point else set(),
        "next_position": position + 1 if position < POSITIONS[-1] else None,
        "previous_position": position - 1 if position > POSITIONS[0] else None,
        "presented_count": sum(1 for p in points.values() if p.presented),
    }


def selling_points_at(*, vehicle_model_id, position: int) -> QuerySet[SellingPoint]:
    return SellingPoint.objects.filter(vehicle_model_id=vehicle_model_id, position=position)


# --- services -----------------------------------------------------------------------------


def _check_open(presentation: Presentation) -> None:
    if presentation.completed_at is not None:
        raise ValidationError(
            _("This walkaround is finished; its positions can no longer be changed."), code="finished"
        )


@transaction.atomic
def presentation_start(*, visit: Visit, vehicle_model, by) -> tuple[Presentation, bool]:
    """Start the walkaround of ``vehicle_model`` during ``visit``; one per model and visit, so
    starting it again (a double tap, the back button) returns the one already started."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)  # two taps at once: one walkaround
    existing = (
        Presentation.objects.filter(visit=visit, vehicle_model=vehicle_model).order_by("-created_at", "-pk").first()
    )
    if existing is not None:
        return existing, False
    presentation = Presentation.objects.create(visit=visit, vehicle_model=vehicle_model, consultant=by)
    return presentation, True


@transaction.atomic
def presentation_point_save(
    *,
    presentation: Presentation,
    position: int,
    presented: bool,
    selling_points=(),
    interest: str = "",
    note: str = "",
    by,
) -> PresentationPoint:
    """Record one position: whether it was presented, the selling points shown, the
    customer's interest and a note. Saving a position again updates it (one row per
    position); a finished walkaround is not changed."""
    presentation = Presentation.objects.select_for_update().get(pk=presentation.pk)
    _check_open(presentation)
    if position not in POSITIONS:
        raise ValidationError(_("A walkaround has positions 1 to 6."), code="position")
    selling_points = list(selling_points)
    foreign = [
        sp for sp in selling_points if sp.vehicle_model_id != presentation.vehicle_model_id or sp.position != position
    ]
    if foreign:
        raise ValidationError(
            {"selling_points": _("These selling points are not the model's at this position: %(titles)s.")
             % {"titles": ", ".join(sp.title for sp in foreign)}},
            code="foreign_selling_point",
        )
    if interest not in ("", *Interest.values):
        raise ValidationError({"interest": _("Choose the customer's interest from the list.")}, code="interest")
    if not presented and (selling_points or interest):
        raise ValidationError(
            {"presented": _("Selling points shown or an interest noted: mark the position presented, "
                            "or clear them.")},
            code="not_presented",
        )
    point, _created = PresentationPoint.objects.update_or_create(
        presentation=presentation,
        position=position,
        defaults={"presented": presented, "interest": interest, "note": note.strip()},
    )
    point.selling_points.set(selling_points)
    presentation.save(update_fields=["updated_at"])  # who and when, in the walkaround's history
    return point


@transaction.atomic
def presentation_finish(*, presentation: Presentation, by, notes: str = "") -> bool:
    """Mark the walkaround completed and put it on the customer's timeline. Finishing twice
    changes nothing the second time (returns False). An anonymous visit's walkaround gets no
    timeline entry; the customer page lists the walkarounds of every visit of the customer."""
    presentation = (
        Presentation.objects.select_for_update(of=("self",))
        .select_related("visit", "vehicle_model__series__brand")
        .get(pk=presentation.pk)
    )
    if presentation.completed_at is not None:
        return False
    presentation.completed_at = timezone.now()
    fields = ["completed_at", "updated_at"]
    if notes.strip():
        presentation.notes = notes.strip()
        fields.append("notes")
    presentation.save(update_fields=fields)
    if presentation.visit.customer_id is not None:
        events.presentation_recorded_event(presentation=presentation, by=by)
    return True
