"""Periods that must never overlap, enforced by the database itself (not only by forms), so
two writers at once cannot both win: on PostgreSQL an exclusion constraint over a range, on
SQLite a trigger pair that aborts the insert or update. Both raise IntegrityError.

Used by migrations: ``migrations.RunPython(*no_overlap(...))``.
"""


def no_overlap(
    *, table: str, group: str, start: str, end: str, name: str, dates: bool, condition: str = ""
) -> tuple:
    """RunPython (forwards, backwards) for "rows of one ``group`` never overlap in
    [start, end]". ``dates``: inclusive DATE bounds with an open end allowed (NULL = until
    further notice); else half-open [start, end) TIMESTAMPs, both required.

    ``condition``: only rows for which this SQL holds take part (e.g. bookings that are not
    cancelled), written with ``{row}`` before each column: ``"{row}.status <> 'cancelled'"``."""

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            range_sql = (
                f"daterange({start}, {end}, '[]')" if dates else f"tstzrange({start}, {end}, '[)')"
            )
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
            where = f" WHERE ({condition.format(row=table)})" if condition else ""
            schema_editor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} "
                f"EXCLUDE USING gist ({group} WITH =, {range_sql} WITH &&){where}"
            )
        elif vendor == "sqlite":
            if dates:
                clash = (
                    f"p.{start} <= COALESCE(NEW.{end}, '9999-12-31') "
                    f"AND NEW.{start} <= COALESCE(p.{end}, '9999-12-31')"
                )
            else:
                clash = f"p.{start} < NEW.{end} AND NEW.{start} < p.{end}"
            if condition:
                clash = f"{clash} AND ({condition.format(row='p')})"
            new_row = f"({condition.format(row='NEW')}) AND " if condition else ""
            for event, same_row in (("INSERT", ""), ("UPDATE", " AND p.id != NEW.id")):
                # Identifiers written in a migration, never user input.
                sql = (
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "
                    f"WHEN {new_row}EXISTS (SELECT 1 FROM {table} p WHERE p.{group} = NEW.{group} "
                    f"AND {clash}{same_row}) "
                    f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                )
                schema_editor.execute(sql)
        else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
            raise NotImplementedError(f"No overlap guard for {vendor}")

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
        else:
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")

    return forwards, backwards


__all__ = ["no_overlap"]
