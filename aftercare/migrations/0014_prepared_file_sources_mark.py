"""A handout made ahead keeps the sources mark read before it was made, so "Print" can
serve it after one query (aftercare.handouts.SOURCES_SQL). Files made before have none and
are served the full way, which records it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("aftercare", "0013_sent_email_moves_to_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="preparedfile",
            name="sources",
            field=models.TextField(blank=True, default=""),
        ),
    ]
