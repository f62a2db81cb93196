"""Seed the default daily checklists (showroom.checklist_defaults) for the showrooms that
existed before them; new showrooms get them from leads.services.showroom_setup."""

from django.db import migrations


def seed_default_checklists(apps, schema_editor):
    from showroom.checklist_defaults import seed_templates

    Showroom = apps.get_model("dealership", "Showroom")
    ChecklistTemplate = apps.get_model("showroom", "ChecklistTemplate")
    ChecklistItem = apps.get_model("showroom", "ChecklistItem")
    for showroom in Showroom.objects.all():
        seed_templates(template_model=ChecklistTemplate, item_model=ChecklistItem, showroom=showroom)


class Migration(migrations.Migration):

    dependencies = [
        ("showroom", "0006_checklists_floor"),
    ]

    operations = [
        migrations.RunPython(seed_default_checklists, migrations.RunPython.noop),
    ]
