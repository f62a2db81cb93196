from django.db import migrations

from dealership.periods import no_overlap


class Migration(migrations.Migration):
    """One car, one customer at a time: the database refuses a booking whose slot overlaps
    another booking of the same car that is not cancelled, so two consultants booking at once
    cannot both win (PostgreSQL: exclusion constraint; SQLite: triggers; both IntegrityError)."""

    dependencies = [("testdrive", "0001_initial")]

    operations = [
        migrations.RunPython(
            *no_overlap(
                table="testdrive_booking",
                group="car_id",
                start="starts_at",
                end="ends_at",
                name="booking_car_slots_never_overlap",
                dates=False,
                condition="{row}.status <> 'cancelled'",
            )
        )
    ]
