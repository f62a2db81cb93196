from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0002_customer_list_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="timelineevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("customer_created", "Customer created"),
                    ("grade_changed", "Grade changed"),
                    ("owner_changed", "Consultant changed"),
                    ("visit_logged", "Visit logged"),
                    ("visit_closed", "Customer left"),
                    ("visit_linked", "Visit linked"),
                    ("reminder_scheduled", "Reminder scheduled"),
                    ("reminder_not_scheduled", "Reminder not scheduled"),
                    ("reminder_sent", "Reminder sent"),
                    ("reminder_failed", "Reminder failed"),
                    ("reminder_cancelled", "Reminder cancelled"),
                    ("customer_merged", "Customers merged"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
    ]
