"""Timeline events owned by the showroom app: one small function per event type."""

from leads.models import TimelineEvent
from showroom.models import Interest


def visit_logged_event(*, visit, by, kept_original: bool = False) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=visit.customer_id,
        kind=TimelineEvent.Kind.VISIT_LOGGED,
        actor=by,
        created_at=visit.arrived_at,
        data={
            "visit_id": visit.pk,
            "channel": visit.channel,
            "arrived_at": visit.arrived_at.isoformat(),
            "party_size": visit.party_size,
            "consultant": visit.consultant.display_name,
            "kept_original_consultant": kept_original,
        },
    )


def visit_closed_event(*, visit, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=visit.customer_id,
        kind=TimelineEvent.Kind.VISIT_CLOSED,
        actor=by,
        data={
            "visit_id": visit.pk,
            "left_at": visit.left_at.isoformat(),
            "registered_late": visit.registered_late,
            "window_minutes": visit.showroom.visit_registration_minutes,
        },
    )


def visit_linked_event(*, visit, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=visit.customer_id,
        kind=TimelineEvent.Kind.VISIT_LINKED,
        actor=by,
        data={"visit_id": visit.pk, "arrived_at": visit.arrived_at.isoformat()},
    )


def presentation_recorded_event(*, presentation, by) -> TimelineEvent:
    """A finished walkaround: the model, how many of the six positions were presented and,
    in the recording user's language, the positions the customer was very interested in."""
    points = list(presentation.points.order_by("position"))
    return TimelineEvent.objects.create(
        customer_id=presentation.visit.customer_id,
        kind=TimelineEvent.Kind.PRESENTATION_RECORDED,
        actor=by,
        data={
            "presentation_id": presentation.pk,
            "visit_id": presentation.visit_id,
            "model": str(presentation.vehicle_model),
            "presented": sum(1 for p in points if p.presented),
            # positions (1–6): their names are translated when the timeline is read
            "interested": [p.position for p in points if p.interest == Interest.HIGH],
        },
    )


def needs_recorded_event(*, customer, needs, by, changed: list[str]) -> TimelineEvent:
    """A needs-analysis revision: who, and the fields it changed (their names, translated when
    the timeline is read in the reader's language)."""
    return TimelineEvent.objects.create(
        customer_id=customer.pk,
        kind=TimelineEvent.Kind.NEEDS_RECORDED,
        actor=by,
        data={"needs_id": needs.pk, "by": by.display_name, "changed": changed},
    )
