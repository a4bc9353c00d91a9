"""The app's jobs, each defined once with Django's @task and run by `manage.py run_worker`
on whichever backend settings.TASKS names. Each is safe to run twice (a worker killed
mid-job means it runs again): its writes in one transaction, or keyed so a second run
finds the work done.

SCHEDULE lists the recurring ones (aftercare.worker.Every); each gets `minute`, the
minute it is due, in ISO 8601."""

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from aftercare.worker import Every, ScheduleTick, WorkerBeat

# Finished jobs and schedule ticks are kept this long, for the admin and for questions.
KEEP_FINISHED = datetime.timedelta(days=14)


@task
def prune_finished_jobs(minute: str) -> dict:
    """Forget finished jobs, schedule ticks and silent workers older than KEEP_FINISHED."""
    from django_tasks_db.models import DBTaskResult

    before = datetime.datetime.fromisoformat(minute) - KEEP_FINISHED
    with transaction.atomic():
        jobs, _ = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
        ticks, _ = ScheduleTick.objects.filter(minute__lt=before).delete()
        WorkerBeat.objects.filter(seen_at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
    return {"jobs": jobs, "ticks": ticks}


SCHEDULE = [
    Every("prune-finished-jobs", "aftercare.tasks.prune_finished_jobs", at="04:10"),
]
