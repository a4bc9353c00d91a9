"""The RQ backend (`TASKS_BACKEND=rq`): django-tasks-rq's, with a job's results read in the
order they happened. RQ lists them newest first; django-tasks-rq reads the list as oldest
first, so a job that ran more than once (a try lost with its worker, aftercare.worker)
would show its first try's outcome and count its workers backwards. Its own workers and
this backend's reads use the Job below."""

from __future__ import annotations

import django_rq
from django_tasks_rq import backend as upstream
from rq.exceptions import NoSuchJobError


class Job(upstream.Job):
    def results(self):
        return list(reversed(super().results()))


class RQBackend(upstream.RQBackend):
    def _get_queues(self):
        return django_rq.queues.get_queues(*self.queues, job_class=Job)

    def _get_job(self, result_id: str) -> Job | None:
        try:
            return Job.fetch(result_id, connection=django_rq.get_connection())
        except NoSuchJobError:
            return None
