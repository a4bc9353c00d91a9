"""What became of each email a job sends, by the key the job was given."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SentEmail(models.Model):
    """An email a job is sending or has sent, by its key: a retry, or a job run again after
    its worker was lost, finds it here and sends nothing more (outbox.mail.send_once).

    Only the key, the Message-ID and how far it got: what an email says (a client's link,
    a reset link) is never kept. A row made with only a key (`create(key=…)`) means sent,
    as it always has."""

    class State(models.TextChoices):
        # Recorded before the mail server is reached; it hasn't been given the message.
        SENDING = "sending", "sending"
        # The message is being handed over (SMTP DATA): the server may have taken it.
        HANDING_OVER = "handing-over", "handing over"
        SENT = "sent", "sent"

    key = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.SENT)
    # The same on every try, so a mailbox that gets a second copy can tell it is one.
    message_id = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=1)

    class Meta:
        # The table it has had since it lived in `aftercare` (outbox migration 0001).
        db_table = "aftercare_sentemail"

    def __str__(self) -> str:
        if self.state == self.State.SENT and self.sent_at:
            return f"email {self.key} sent {self.sent_at:%Y-%m-%d %H:%M}"
        return f"email {self.key} {self.get_state_display()} since {self.started_at:%Y-%m-%d %H:%M}"
