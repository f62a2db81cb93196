"""Timeline events owned by the showroom app: one small function per event type."""

from leads.models import TimelineEvent


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
