from django.db import migrations

from dealership.periods import no_overlap


class Migration(migrations.Migration):
    """For any showroom, trim and date at most one guide price applies: the database refuses
    a price list whose period overlaps another of the same showroom."""

    dependencies = [("showroom", "0003_catalog_needs_walkaround")]

    operations = [
        migrations.RunPython(
            *no_overlap(
                table="showroom_pricelist",
                group="showroom_id",
                start="valid_from",
                end="valid_until",
                name="price_list_periods_never_overlap",
                dates=True,
            )
        )
    ]
