"""The app's jobs, each defined once with Django's @task and run by `manage.py run_worker`
on whichever backend settings.TASKS names. Each is safe to run twice (a worker killed
mid-job means it runs again): its writes in one transaction, or keyed so a second run
finds the work done.

SCHEDULE lists the recurring ones (aftercare.worker.Every); each gets `minute`, the
minute it is due, in ISO 8601."""

import datetime
import logging
import smtplib
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from aftercare.models import SentEmail
from aftercare.worker import Every, ScheduleTick, WorkerBeat

logger = logging.getLogger("aftercare.tasks")

# Finished jobs and schedule ticks are kept this long, for the admin and for questions.
KEEP_FINISHED = datetime.timedelta(days=14)


@task
def prune_finished_jobs(minute: str) -> dict:
    """Forget finished jobs, schedule ticks, sent-email keys and silent workers older than
    KEEP_FINISHED (no job runs again that long after)."""
    from django_tasks_db.models import DBTaskResult

    before = datetime.datetime.fromisoformat(minute) - KEEP_FINISHED
    with transaction.atomic():
        jobs, _ = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
        ticks, _ = ScheduleTick.objects.filter(minute__lt=before).delete()
        SentEmail.objects.filter(sent_at__lt=before).delete()
        WorkerBeat.objects.filter(seen_at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
    return {"jobs": jobs, "ticks": ticks}


# What a mail server says that is worth trying again: a 4xx reply, a dropped or refused
# connection. A 5xx (no such mailbox) is final.
def is_temporary(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    return isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError))


def new_email_key() -> str:
    return uuid.uuid4().hex


@task
def email_link(client_id: int, therapist_id: int | None, site_url: str, key: str, attempt: int = 1) -> str:
    """Email a client their live link. Made and sent here, so the link (a secret) is never
    stored with the job; once per key however often it runs; tried again later while the
    mail server says "not now" (EMAIL_RETRIES times, EMAIL_RETRY_SECONDS apart, doubling)."""
    from aftercare.models import ShareLink
    from clients.models import Client, Therapist

    client = Client.objects.select_related("clinic").filter(pk=client_id).first()
    if client is None or not client.email:
        return "client gone"  # deleted (or their address removed) since: nothing to send
    if SentEmail.objects.filter(key=key).exists():
        return "already sent"
    link = ShareLink.objects.filter(client=client, revoked_at__isnull=True).first()
    if link is None or not link.is_live():
        return "link turned off"
    therapist = Therapist.objects.select_related("user").filter(pk=therapist_id).first() if therapist_id else None
    try:
        link.send(f"{site_url}{link.path}", therapist=therapist)
    except Exception as error:
        if not is_temporary(error) or attempt >= settings.EMAIL_RETRIES:
            raise
        delay = settings.EMAIL_RETRY_SECONDS * 2 ** (attempt - 1)
        logger.warning("Email %s: %s; trying again in %s s (try %s)", key, error, delay, attempt + 1)
        email_link.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(
            client_id, therapist_id, site_url, key, attempt + 1
        )
        return f"not now: {error}"
    try:
        SentEmail.objects.create(key=key, attempts=attempt)
    except IntegrityError:
        pass
    return "sent"


@task
def prepare_export(prepared_id: int, site_url: str) -> str:
    """Make a client's export (aftercare.export) for the page that waits for it. Quiet when
    the client was deleted meanwhile (their row, and this one, are gone)."""
    from aftercare import export
    from aftercare.prepared import PreparedFile

    prepared = PreparedFile.objects.select_related("client__clinic").filter(pk=prepared_id).first()
    if prepared is None or prepared.client is None:
        return "client gone"
    if prepared.is_ready:
        return "ready already"
    data = export.client_zip(prepared.client, site_url=site_url)
    return "ready" if prepared.keep(data, ".zip") else "client gone"


@task
def prepare_visit_handout(visit_id: int, site_url: str) -> str:
    """Print a wrapped-up visit's handout ahead, so "Print" answers from a ready file."""
    from aftercare import handouts
    from aftercare.models import ShareLink, Visit

    visit = handouts.visits_with_items(Visit.objects.all()).filter(pk=visit_id).first()
    if visit is None:
        return "visit gone"  # deleted, or its client was
    if not visit.items.all():
        return "no homework"
    if not ShareLink.objects.filter(client=visit.client_id).exists():
        return "no link yet"  # a job never makes a client's link: the first print does
    return "made" if handouts.ready_visit_pdf(visit, site_url=site_url, ahead=True) else "ready already"


@task
def prepare_day_handouts(clinic_id: int, date: str, site_url: str) -> str:
    """Print the day's stack ahead (when the day page opens), and each visit's handout."""
    from aftercare import handouts
    from aftercare.models import ShareLink
    from clients.models import Clinic

    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None:
        return "clinic gone"
    day = datetime.date.fromisoformat(date)
    visits = [visit for visit in handouts.day_visits(clinic, day) if visit.items.all()]
    with_links = set(ShareLink.objects.filter(client__in={visit.client_id for visit in visits}).values_list("client_id", flat=True))
    if any(visit.client_id not in with_links for visit in visits):
        return "no link yet"  # a job never makes a client's link: the first print does
    made = handouts.ready_day_pdf(clinic, day, site_url=site_url, ahead=True) is not None
    for visit in visits:
        made |= handouts.ready_visit_pdf(visit, site_url=site_url, ahead=True) is not None
    return "made" if made else "ready already"


@task
def forget_expired_files(minute: str) -> int:
    """Delete prepared files past their time (their storage files go with them)."""
    from aftercare.prepared import PreparedFile

    deleted = 0
    for prepared in PreparedFile.objects.filter(expires_at__lt=datetime.datetime.fromisoformat(minute)):
        with transaction.atomic():
            prepared.delete()
        deleted += 1
    return deleted


SCHEDULE = [
    Every("prune-finished-jobs", "aftercare.tasks.prune_finished_jobs", at="04:10"),
    Every("forget-expired-files", "aftercare.tasks.forget_expired_files", minutes=5),
    Every("send-due-reminders", "aftercare.reminders.send_due_reminders", minutes=1),
]
