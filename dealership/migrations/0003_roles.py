"""Create the staff roles as groups, with the model permissions each role needs in the admin."""

from django.db import migrations

ROLES = {
    "Sales consultant": [],
    "Sales manager": [],
    "Test-drive specialist": [],
    "Customer care": [],
    "Admin": [
        ("dealership", "showroom", ["add", "change", "view"]),
        ("dealership", "user", ["add", "change", "view"]),
        ("followup", "smstemplate", ["add", "change", "delete", "view"]),
        ("followup", "reminder", ["change", "view"]),
        ("leads", "customer", ["view"]),
        ("showroom", "visit", ["view"]),
    ],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create them now so the
    # Admin role can be given its permissions in this migration.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, model, actions in grants:
            for action in actions:
                perm = Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
                group.permissions.add(perm)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dealership", "0002_initial"),
        ("leads", "0001_initial"),
        ("showroom", "0001_initial"),
        ("followup", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
