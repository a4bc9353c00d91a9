"""The app's jobs, each defined once with Django's @task and run by `manage.py run_worker`
on whichever backend settings.TASKS names. Each is safe to run twice (a worker killed
mid-job means it runs again): its writes in one transaction, or keyed so a second run
finds the work done.

SCHEDULE lists the recurring ones (aftercare.worker.Every); each gets `minute`, the
minute it is due, in ISO 8601."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from aftercare.worker import Every, ScheduleTick, WorkerBeat
from outbox.mail import is_temporary, new_email_key, send_once  # noqa: F401  (the names the views use)
from outbox.models import SentEmail

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
        SentEmail.objects.filter(started_at__lt=before).delete()
        WorkerBeat.objects.filter(seen_at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
    return {"jobs": jobs, "ticks": ticks}


@task
def email_link(client_id: int, therapist_id: int | None, site_url: str, key: str, attempt: int = 1) -> str:
    """Email a client their live link. Made and sent here, so the link (a secret) is never
    stored with the job; once per key however often it runs (outbox.mail.send_once); tried
    again later while the mail server says "not now"."""
    from aftercare.models import ShareLink
    from clients.models import Client, Therapist

    def make():
        client = Client.objects.select_related("clinic").filter(pk=client_id).first()
        if client is None or not client.email:
            return "client gone"  # deleted (or their address removed) since: nothing to send
        link = ShareLink.objects.filter(client=client, revoked_at__isnull=True).first()
        if link is None or not link.is_live():
            return "link turned off"
        therapist = Therapist.objects.select_related("user").filter(pk=therapist_id).first() if therapist_id else None
        return link.email(f"{site_url}{link.path}", therapist=therapist)

    def again(when):
        email_link.using(run_after=when).enqueue(client_id, therapist_id, site_url, key, attempt + 1)

    return send_once(key, make, attempt=attempt, again=again)


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

    sources = handouts.visit_sources(visit_id, site_url=site_url)  # read before the visit: see SOURCES_SQL
    visit = handouts.visits_with_items(Visit.objects.all()).filter(pk=visit_id).first()
    if visit is None:
        return "visit gone"  # deleted, or its client was
    if not visit.items.all():
        return "no homework"
    if not ShareLink.objects.filter(client=visit.client_id).exists():
        return "no link yet"  # a job never makes a client's link: the first print does
    made = handouts.ready_visit_pdf(visit, site_url=site_url, ahead=True, sources=sources.mark)
    return "made" if made else "ready already"


@task
def prepare_day_handouts(clinic_id: int, date: str, site_url: str) -> str:
    """Print the day's stack ahead (when the day page opens), and each visit's handout."""
    from aftercare import handouts
    from aftercare.models import ShareLink, Visit
    from clients.models import Clinic

    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None:
        return "clinic gone"
    day = datetime.date.fromisoformat(date)
    # The marks are read before the visits they describe: see handouts.SOURCES_SQL.
    sources = handouts.day_sources(clinic.pk, day, site_url=site_url)
    visit_marks = {
        pk: handouts.visit_sources(pk, site_url=site_url).mark
        for pk in Visit.objects.for_clinic(clinic).on(day).values_list("pk", flat=True)
    }
    every_visit = handouts.day_visits(clinic, day)
    visits = [visit for visit in every_visit if visit.items.all()]
    with_links = set(ShareLink.objects.filter(client__in={visit.client_id for visit in visits}).values_list("client_id", flat=True))
    if any(visit.client_id not in with_links for visit in visits):
        return "no link yet"  # a job never makes a client's link: the first print does
    made = handouts.ready_day_pdf(clinic, day, site_url=site_url, ahead=True, sources=sources.mark) is not None
    for visit in visits:
        mark = visit_marks.get(visit.pk, "")
        made |= handouts.ready_visit_pdf(visit, site_url=site_url, ahead=True, sources=mark) is not None
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
