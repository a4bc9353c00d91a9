"""SentEmail now belongs to the `outbox` app (outbox 0001), table and rows included: this
drops it from `aftercare`'s migration state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("aftercare", "0012_several_times_a_day"),
        ("outbox", "0001_sent_email_from_aftercare"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SentEmail")],
            database_operations=[],
        ),
    ]
