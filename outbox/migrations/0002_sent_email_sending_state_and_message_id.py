"""An email's row is written before the mail server is reached (state "sending", with the
Message-ID every try uses), so a try that dies mid-way is told from one never begun.
Rows already there were sent."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("outbox", "0001_sent_email_from_aftercare"),
    ]

    operations = [
        migrations.AddField(
            model_name="sentemail",
            name="state",
            field=models.CharField(
                choices=[("sending", "sending"), ("handing-over", "handing over"), ("sent", "sent")],
                default="sent", max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="sentemail",
            name="message_id",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="sentemail",
            name="started_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="sentemail",
            name="sent_at",
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, null=True),
        ),
    ]
