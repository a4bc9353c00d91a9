"""Send an email from a job, once under a key, and again later while the mail server says
"not now".

A job that sends an email may run more than once: a retry after a 4xx, or a run again
after its worker was lost (aftercare.worker). `send_once` keeps a row per key
(outbox.models.SentEmail) and moves it along as the email goes:

1. "sending" is written before the mail server is reached, with the Message-ID every try
   of this email uses;
2. "handing-over" is written once the server has taken the sender and the recipient, just
   before the message itself (SMTP DATA): from here the server may have it;
3. "sent" once the server has said it took it (250 after DATA).

A try that finds "sent" sends nothing. One that finds "sending" knows the last try died
before the message left: it sends, and nobody gets two. One that finds "handing-over"
can't know whether the server kept the message (the try died between handing it over and
writing "sent", or the connection dropped in the middle): it sends again with the same
Message-ID, so the rare second copy is one a mailbox can recognise (docs/scaling.md, "An
email sent twice"). A server that answers "no" (any reply code) kept nothing: the row goes,
and the next try starts again.

Only the key and the Message-ID are kept: what an email says (a client's link, a reset
link) is made again by each try from the job's arguments, never stored with them."""

from __future__ import annotations

import datetime
import logging
import smtplib
import uuid
from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from outbox.models import SentEmail

logger = logging.getLogger("outbox")


def new_email_key() -> str:
    return uuid.uuid4().hex


# What a mail server says that is worth trying again: a 4xx reply, a dropped or refused
# connection. A 5xx (no such mailbox) is final.
def is_temporary(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    return isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError))


def refused_by_server(error: Exception) -> bool:
    """The server answered "no" to something: it kept nothing."""
    return isinstance(error, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused))


def one_line(text: str, limit: int = 150) -> str:
    """A header's words from what people typed (a clinic's name, an exercise's): every run
    of whitespace, a line break included, one space. Django's mail API refuses a header with
    a line break outright (BadHeaderError), which would fail the whole send; this way a
    name can neither start a header of its own nor stop the email."""
    return " ".join(str(text).split())[:limit]


def message_id(key: str) -> str:
    """The Message-ID of the email sent under `key`, the same on every try."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "aftercare.invalid"
    return f"<{key}@{domain}>"


def send_once(
    key: str,
    make: Callable[[], EmailMessage | str],
    *,
    attempt: int,
    again: Callable[[datetime.datetime], object],
) -> str:
    """Send the email `make()` builds, unless the one under `key` was sent; `make` may
    answer a sentence instead, saying why there is nothing to send now (the client was
    deleted meanwhile). On a temporary refusal, `again(when)` enqueues the next try (the
    job's own, with attempt + 1), up to EMAIL_RETRIES tries EMAIL_RETRY_SECONDS apart,
    doubling; a final refusal raises, failing the job where the admin shows it. Answers
    what happened, for the job's result."""
    row = SentEmail.objects.filter(key=key).first()
    if row is not None and row.state == SentEmail.State.SENT:
        return "already sent"
    message = make()
    if isinstance(message, str):
        return message
    again_after_handover = row is not None and row.state == SentEmail.State.HANDING_OVER
    if row is None:
        try:
            row = SentEmail.objects.create(
                key=key, state=SentEmail.State.SENDING, message_id=message_id(key), sent_at=None, attempts=attempt
            )
        except IntegrityError:  # another run of this key, this very moment: that one sends
            return "already sending"
    else:
        if again_after_handover:
            logger.warning(
                "Email %s: the last try died while handing it over, so the mail server may have it; "
                "sending it again with the same Message-ID %s", key, row.message_id,
            )
        SentEmail.objects.filter(pk=row.pk).update(state=SentEmail.State.SENDING, attempts=F("attempts") + 1)
    message.extra_headers["Message-ID"] = row.message_id
    handing_over = []

    def on_data() -> None:
        SentEmail.objects.filter(pk=row.pk).update(state=SentEmail.State.HANDING_OVER)
        handing_over.append(True)

    try:
        hand_over(message, on_data=on_data)
    except Exception as error:
        if refused_by_server(error) or not handing_over:
            SentEmail.objects.filter(pk=row.pk).delete()  # nothing left: the next try starts afresh
        if not is_temporary(error) or attempt >= settings.EMAIL_RETRIES:
            raise
        delay = settings.EMAIL_RETRY_SECONDS * 2 ** (attempt - 1)
        logger.warning("Email %s: %s; trying again in %s s (try %s)", key, error, delay, attempt + 1)
        again(timezone.now() + datetime.timedelta(seconds=delay))
        return f"not now: {error}"
    SentEmail.objects.filter(pk=row.pk).update(state=SentEmail.State.SENT, sent_at=timezone.now())
    return "sent again" if again_after_handover else "sent"


def hand_over(message: EmailMessage, *, on_data: Callable[[], None]) -> None:
    """Give `message` to the mail server, calling `on_data` once the server has taken the
    sender and recipients and just before the message itself goes (SMTP DATA): the last
    moment at which it certainly doesn't have it. Django's SMTP backend's own steps
    (smtplib's sendmail), split there. Other backends (the console, tests' outbox) have no
    such moment: `on_data` comes first."""
    connection = message.get_connection()
    if not isinstance(connection, SMTPBackend):
        on_data()
        connection.send_messages([message])
        return
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    data = message.message().as_bytes(linesep="\r\n")
    with connection:
        smtp = connection.connection
        smtp.ehlo_or_helo_if_needed()
        options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, reply = smtp.mail(sender, options)
        if code != 250:
            smtp.rset()
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            smtp.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
        on_data()
        code, reply = smtp.data(data)
        if code != 250:
            smtp.rset()
            raise smtplib.SMTPDataError(code, reply)
