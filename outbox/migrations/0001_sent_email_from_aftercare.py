"""SentEmail moves here from `aftercare` with its table (aftercare_sentemail) and rows: this
only tells Django's migration state; the table is made by aftercare 0010 and kept."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("aftercare", "0010_sent_email"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SentEmail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=64, unique=True)),
                        ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("attempts", models.PositiveSmallIntegerField(default=1)),
                    ],
                    options={"db_table": "aftercare_sentemail"},
                ),
            ],
            database_operations=[],
        ),
    ]
