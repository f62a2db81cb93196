"""Timeline events owned by the leads app: one small function per event type."""

from leads.models import Customer, LeadSource, TimelineEvent


def _referrer_name(customer: Customer) -> str:
    referrer = customer.referrer
    if referrer is None:
        return ""
    return referrer.display_name


def custom_source_name(*, showroom_id: int, code: str) -> str:
    """The name an admin gave the source; blank for a default source, shown translated."""
    if not code:
        return ""
    name = LeadSource.objects.filter(showroom_id=showroom_id, code=code).values_list("name", flat=True).first()
    return name or ""


def custom_source_names(*, showroom_id: int, codes) -> dict[str, str]:
    """code → the name an admin gave it, for many customers at once (one query; none without
    codes). Default sources without a name are left out: they are shown translated."""
    codes = {code for code in codes if code}
    if not codes:
        return {}
    return dict(
        LeadSource.objects.filter(showroom_id=showroom_id, code__in=codes).exclude(name="").values_list("code", "name")
    )


def customer_created_event(*, customer: Customer, by) -> TimelineEvent:
    data = {"source": customer.source}
    if customer.source:
        data["source_name"] = custom_source_name(showroom_id=customer.showroom_id, code=customer.source)
    if customer.referrer is not None:
        data["referrer"] = _referrer_name(customer)
    return TimelineEvent.objects.create(
        customer=customer, kind=TimelineEvent.Kind.CUSTOMER_CREATED, actor=by, data=data
    )


def source_changed_event(*, customer: Customer, old: str, old_name: str, lead_source, by) -> TimelineEvent:
    """The source and referrer as set on the customer form: the names as the staff read them."""
    return TimelineEvent.objects.create(
        customer=customer,
        kind=TimelineEvent.Kind.SOURCE_CHANGED,
        actor=by,
        data={
            "old": old,
            "old_name": old_name,
            "source": customer.source,
            "source_name": lead_source.name if lead_source is not None else "",
            "referrer": _referrer_name(customer),
        },
    )


def grade_changed_event(*, customer: Customer, old: str, new: str, reason: str, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer=customer,
        kind=TimelineEvent.Kind.GRADE_CHANGED,
        actor=by,
        data={"from": old, "to": new, "reason": reason},
    )


def owner_changed_event(*, customer: Customer, old_owner, new_owner, rule: str, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer=customer,
        kind=TimelineEvent.Kind.OWNER_CHANGED,
        actor=by,
        data={
            "old_owner": old_owner.display_name if old_owner else "",
            "new_owner": new_owner.display_name if new_owner else "",
            "rule": rule,
        },
    )


def customer_merged_event(*, survivor: Customer, duplicate: Customer, counts: dict, by) -> TimelineEvent:
    """On the survivor's timeline; ``duplicate_id`` also lets the duplicate's old URL redirect."""
    return TimelineEvent.objects.create(
        customer=survivor,
        kind=TimelineEvent.Kind.CUSTOMER_MERGED,
        actor=by,
        data={
            "duplicate_id": duplicate.pk,
            "duplicate_name": duplicate.display_name,
            "by": by.display_name if by else "",
            **counts,
        },
    )


def _lost_event(*, request, kind, by, **data) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer_id=request.customer_id,
        kind=kind,
        actor=by,
        data={"lost_request_id": request.pk, "by": by.display_name if by else "", **data},
    )


def lost_requested_event(*, request, by) -> TimelineEvent:
    return _lost_event(
        request=request, kind=TimelineEvent.Kind.LOST_REQUESTED, by=by, reason=request.summary, note=request.note
    )


def lost_approved_event(*, request, by) -> TimelineEvent:
    return _lost_event(request=request, kind=TimelineEvent.Kind.LOST_APPROVED, by=by, reason=request.summary)


def lost_rejected_event(*, request, grade: str, by) -> TimelineEvent:
    return _lost_event(
        request=request,
        kind=TimelineEvent.Kind.LOST_REJECTED,
        by=by,
        grade=grade,
        note=request.decision_note,
    )


def reactivated_event(*, customer: Customer, grade: str, by) -> TimelineEvent:
    return TimelineEvent.objects.create(
        customer=customer,
        kind=TimelineEvent.Kind.REACTIVATED,
        actor=by,
        data={"grade": grade, "by": by.display_name if by else ""},
    )


def _import_data(batch, by) -> dict:
    return {"import_id": batch.pk, "file": batch.file_name, "by": by.display_name if by else ""}


def customers_imported_events(*, rows, batch, by, when, source_names: dict | None = None) -> list[TimelineEvent]:
    """Unsaved "Imported from <file> by X" entries for (customer, notes) pairs; the import
    saves them with bulk_create. Each source is stored as customer_created_event stores it:
    the code and the name an admin gave it (``source_names``, code → name, when the caller has
    them already; else one query), so a custom source reads as its name, not its code."""
    base = _import_data(batch, by)
    names = source_names
    if names is None:
        names = custom_source_names(showroom_id=batch.showroom_id, codes={customer.source for customer, _notes in rows})
    return [
        TimelineEvent(
            customer=customer,
            kind=TimelineEvent.Kind.CUSTOMER_IMPORTED,
            actor=by,
            created_at=when,
            data={
                **base,
                "source": customer.source,
                "source_name": names.get(customer.source, ""),
                "referrer": _referrer_name(customer),
                "notes": notes,
            },
        )
        for customer, notes in rows
    ]


def customers_seen_in_import_events(*, rows, batch, by, when) -> list[TimelineEvent]:
    """Unsaved "Seen again in import <file>" entries for the rows that matched an existing
    customer: which blanks the row filled, and its notes."""
    base = _import_data(batch, by)
    return [
        TimelineEvent(
            customer=row.existing,
            kind=TimelineEvent.Kind.SEEN_IN_IMPORT,
            actor=by,
            created_at=when,
            data={**base, "line": row.line, "filled": list(row.filled), "notes": row.values["notes"]},
        )
        for row in rows
    ]


def owners_changed_events(*, changes, by, note: str, when) -> list[TimelineEvent]:
    """Unsaved "Consultant changed from X to Y by Z" entries for (customer, old owner) pairs of
    a reassignment by a manager; the service saves them with bulk_create."""
    by_name = by.display_name if by else ""
    return [
        TimelineEvent(
            customer=customer,
            kind=TimelineEvent.Kind.OWNER_CHANGED,
            actor=by,
            created_at=when,
            data={
                "old_owner": old_owner.display_name if old_owner else "",
                "new_owner": customer.owner.display_name if customer.owner else "",
                "rule": "manual",
                "by": by_name,
                "note": note,
            },
        )
        for customer, old_owner in changes
    ]
