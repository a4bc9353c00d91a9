"""What `manage.py run_worker` runs: the queued jobs and the schedule, on whichever backend
`settings.TASKS` names, with any number of workers on any number of hosts.

- **No job runs twice.** On the database backend a worker claims a job by locking its row
  (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, an exclusive transaction on SQLite) and
  marking it running in the same transaction; RQ pops each job off a Redis list once.
- **A worker killed mid-job loses nothing.** Every worker says it is alive every few seconds
  (`WorkerBeat`, from a thread of its own, so a long job doesn't silence it). A running
  job whose worker hasn't been heard from for `WORKER_LOST_AFTER` seconds goes back in the
  queue, and after `WORKER_MAX_ATTEMPTS` tries is marked failed with `WorkerLost`, where
  the admin shows it. Jobs therefore run at least once, and each is written to be safe to
  run again: its writes in one transaction, files named by what they hold, mail recorded as
  sent. (On RQ, RQ itself finds abandoned jobs and moves them to its failed registry.)
- **A schedule tick is taken by exactly one worker.** For every recurring job and every
  minute it is due, the first worker to insert the row (name, minute) into `ScheduleTick`
  enqueues the job; the unique constraint turns every other worker's insert away. Row and
  job go in one transaction on the database backend. A worker that starts late catches up
  on ticks of the last `CATCH_UP` minutes, so a restart doesn't skip the reminders due
  during it.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import os
import socket
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, models, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

logger = logging.getLogger("aftercare.worker")

# How far back a worker looks for scheduled minutes nobody took (a restart, a deploy).
CATCH_UP = datetime.timedelta(minutes=10)


class WorkerBeat(models.Model):
    """A running `run_worker`, as last heard from. Rows of workers that stopped cleanly are
    deleted; those of killed ones are swept after a day."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "aftercare"

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} (pid {self.pid})"


class ScheduleTick(models.Model):
    """One run of a recurring job, taken by the first worker to insert it."""

    name = models.CharField(max_length=100)
    minute = models.DateTimeField()
    worker_id = models.CharField(max_length=64)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "aftercare"
        constraints = [models.UniqueConstraint(fields=["name", "minute"], name="one_tick_a_minute_per_job")]

    def __str__(self) -> str:
        return f"{self.name} at {self.minute:%Y-%m-%d %H:%M}"


class WorkerLost(Exception):
    """The worker running this job stopped answering (killed, host gone) too many times."""


@dataclasses.dataclass(frozen=True)
class Every:
    """A recurring job: `task` enqueued with `minute=` (ISO 8601, UTC) for every minute it
    is due: every `minutes` minutes, or daily `at` "HH:MM" in the clinic's time zone."""

    name: str
    task: str  # dotted path of a @task
    minutes: int = 0
    at: str = ""

    def due(self, minute: datetime.datetime) -> bool:
        if self.at:
            local = timezone.localtime(minute)
            return f"{local:%H:%M}" == self.at
        return (int(minute.timestamp()) // 60) % self.minutes == 0


def schedule() -> list[Every]:
    return list(import_string(settings.AFTERCARE_SCHEDULE))


def backend_kind() -> str:
    from django_tasks import task_backends

    backend = task_backends["default"]
    if type(backend).__module__.startswith("django_tasks_db"):
        return "database"
    if type(backend).__module__.startswith(("django_tasks_rq", "aftercare.rq_backend")):
        return "rq"
    raise ValueError(f"run_worker can't run jobs of {type(backend).__name__}")


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{get_random_string(12)}"


class Clock:
    """The worker's second thread: says it's alive, returns jobs of lost workers to the
    queue, and takes the schedule's ticks. It keeps going while the main thread runs a long
    job."""

    def __init__(self, worker_id: str, *, interval: float | None = None, reap: bool = True):
        self.worker_id = worker_id
        # Four beats in WORKER_LOST_AFTER: one slow beat never makes a live worker look lost.
        self.interval = interval or max(0.2, min(5.0, settings.WORKER_LOST_AFTER / 4))
        self.reap = reap
        self.entries = schedule()
        self.started_at = timezone.now()
        self.stopped = threading.Event()
        self.last_minute: datetime.datetime | None = None
        self.thread = threading.Thread(target=self.run, name="aftercare-clock", daemon=True)

    def start(self) -> None:
        self.beat()  # before the first job is claimed, so no other worker takes this one for lost
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)
        WorkerBeat.objects.filter(worker_id=self.worker_id).delete()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                self.beat()
                if self.reap:
                    requeue_lost_jobs() if backend_kind() == "database" else requeue_lost_rq_jobs()
                self.take_ticks()
            except Exception:
                # A database that blinks must not end the clock: the next round tries again.
                logger.exception("Worker %s: the clock's round failed", self.worker_id)
            self.stopped.wait(self.interval)

    def beat(self) -> None:
        now = timezone.now()
        WorkerBeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "started_at": self.started_at, "seen_at": now},
        )

    def take_ticks(self, now: datetime.datetime | None = None) -> list[ScheduleTick]:
        """Take every due minute of the catch-up window that no worker has taken yet; once a
        minute (the window only moves on when the minute does)."""
        now = (now or timezone.now()).replace(second=0, microsecond=0)
        if now == self.last_minute or not self.entries:
            return []
        self.last_minute = now
        taken = []
        for entry in self.entries:
            minutes = [now - datetime.timedelta(minutes=n) for n in range(int(CATCH_UP.total_seconds() // 60), -1, -1)]
            due = [minute for minute in minutes if entry.due(minute)]
            already = set(ScheduleTick.objects.filter(name=entry.name, minute__in=due).values_list("minute", flat=True))
            for minute in due:
                if minute not in already:
                    tick = take_tick(entry, minute, self.worker_id)
                    if tick:
                        taken.append(tick)
        return taken


def take_tick(entry: Every, minute: datetime.datetime, worker_id: str) -> ScheduleTick | None:
    """Claim (entry, minute) by inserting its row, and enqueue the job in the same
    transaction; None when another worker got there first."""
    try:
        with transaction.atomic():
            tick = ScheduleTick.objects.create(name=entry.name, minute=minute, worker_id=worker_id)
            import_string(entry.task).enqueue(minute=minute.isoformat())
    except IntegrityError:
        return None
    logger.info("Worker %s took %s", worker_id, tick)
    return tick


def requeue_lost_jobs(now: datetime.datetime | None = None) -> list[str]:
    """Running jobs whose worker has gone quiet: back to the queue, or failed for good after
    WORKER_MAX_ATTEMPTS tries. Each is re-read under a lock, so two workers sweeping at once
    act on it once."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    alive = live_workers(now)
    suspects = [
        pk for pk, worker_ids in DBTaskResult.objects.running().values_list("id", "worker_ids")
        if not worker_ids or worker_ids[-1] not in alive
    ]
    requeued = []
    for pk in suspects:
        with transaction.atomic():
            job = DBTaskResult.objects.select_for_update(skip_locked=True).filter(pk=pk, status=TaskResultStatus.RUNNING).first()
            if job is None or (job.worker_ids and job.worker_ids[-1] in alive):
                continue
            if len(job.worker_ids) >= settings.WORKER_MAX_ATTEMPTS:
                lost = WorkerLost(f"its worker stopped answering on each of {len(job.worker_ids)} tries: {', '.join(job.worker_ids)}")
                job.set_failed(lost)
                logger.error("Job %s (%s) failed: %s", job.pk, job.task_path, lost)
            else:
                job.status = TaskResultStatus.READY
                job.save(update_fields=["status"])
                logger.warning("Job %s (%s) back in the queue: worker %s was lost", job.pk, job.task_path, job.worker_ids[-1:])
            requeued.append(str(pk))
    # Killed workers leave their row; a day later it tells nobody anything.
    WorkerBeat.objects.filter(seen_at__lt=now - datetime.timedelta(days=1)).delete()
    return requeued


def live_workers(now: datetime.datetime) -> set[str]:
    since = now - datetime.timedelta(seconds=settings.WORKER_LOST_AFTER)
    return set(WorkerBeat.objects.filter(seen_at__gte=since).values_list("worker_id", flat=True))


def requeue_lost_rq_jobs(now: datetime.datetime | None = None) -> list[str]:
    """requeue_lost_jobs on RQ: jobs in the started registry whose worker has gone quiet.
    Each is taken out of the registry first (ZREM answers 1 to one sweeper only, so two
    workers sweeping at once act on it once); its lost try is recorded as a failed result
    naming the worker, then it goes back at the front of the queue, or after
    WORKER_MAX_ATTEMPTS lost tries to the failed registry with WorkerLost."""
    import django_rq
    from django_tasks_rq.backend import failed_callback
    from rq.exceptions import NoSuchJobError
    from rq.job import JobStatus
    from rq.job_lifecycle import record_job_failure
    from rq.results import Result

    from aftercare.rq_backend import Job

    now = now or timezone.now()
    alive = live_workers(now)
    queue = django_rq.get_queue("default", job_class=Job)
    registry = queue.started_job_registry
    redis = queue.connection
    requeued = []
    for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
        try:
            job = Job.fetch(job_id, connection=redis)
        except NoSuchJobError:
            continue
        if job.get_status() != JobStatus.STARTED or job.worker_name in alive:
            continue
        if not redis.zrem(registry.key, f"{job_id}:{execution_id}"):
            continue  # another worker's sweep took it
        lost = [*job.meta.get("aftercare_lost_on", []), job.worker_name or "?"]
        job.meta["aftercare_lost_on"] = lost
        if len(lost) < settings.WORKER_MAX_ATTEMPTS:  # (the last: failed_callback adds it)
            job.meta.setdefault("_django_tasks_rq_exceptions", []).append(f"{WorkerLost.__module__}.WorkerLost")
        job.save_meta()
        if len(lost) >= settings.WORKER_MAX_ATTEMPTS:
            error = WorkerLost(f"its worker stopped answering on each of {len(lost)} tries: {', '.join(lost)}")
            failed_callback(job, redis, WorkerLost, error, None)
            with redis.pipeline() as pipe:
                record_job_failure(job, f"{WorkerLost.__module__}.WorkerLost: {error}", pipe)
                pipe.execute()
            logger.error("Job %s (%s) failed: %s", job.id, job.func_name, error)
        else:
            Result.create_failure(
                job, job.failure_ttl, exc_string=f"WorkerLost: worker {lost[-1]} stopped answering; tried again",
                worker_name=lost[-1], execution_id=execution_id,
            )
            queue.enqueue_job(job, at_front=True)
            logger.warning("Job %s (%s) back in the queue: worker %s was lost", job.id, job.func_name, lost[-1])
        requeued.append(job.id)
    return requeued


def queue_problem() -> str | None:
    """Why the jobs aren't being taken, for /healthz: the oldest job that could run has
    waited longer than HEALTHZ_QUEUE_LIMIT seconds (0: don't look), or the queue's Redis
    doesn't answer. Raises DatabaseError when the database doesn't."""
    limit = settings.HEALTHZ_QUEUE_LIMIT
    if backend_kind() != "database":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not limit:
            return None
        from redis.exceptions import RedisError

        try:
            waited = oldest_waiting_job_age()
        except RedisError as e:
            return f"job queue unavailable (Redis: {e})"
    elif not limit:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return None
    else:
        waited = oldest_waiting_job_age()
    if waited is not None and waited.total_seconds() > limit:
        return (
            f"workers have stopped taking jobs: the oldest waiting job has waited "
            f"{waited.total_seconds():.0f} s (limit {limit} s); is `manage.py run_worker` running?"
        )
    return None


def oldest_waiting_job_age(now: datetime.datetime | None = None) -> datetime.timedelta | None:
    """How long the oldest job that could run now has waited, or None if none waits. On
    RQ, the age of the job at the head of the queue."""
    now = now or timezone.now()
    if backend_kind() == "rq":
        import django_rq

        queue = django_rq.get_queue("default")
        job_ids = queue.get_job_ids(0, 1)
        if not job_ids:
            return None
        job = queue.fetch_job(job_ids[0])
        enqueued = job.enqueued_at if job else None
        if enqueued and timezone.is_naive(enqueued):
            enqueued = timezone.make_aware(enqueued, datetime.timezone.utc)
        return now - enqueued if enqueued else None
    from django_tasks_db.models import DBTaskResult

    # A job deferred to later (run_after) has been waiting only since it became due.
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", "run_after").first()
    if oldest is None:
        return None
    enqueued_at, run_after = oldest
    since = max(enqueued_at, run_after) if run_after and run_after <= now else enqueued_at
    return now - since


class JobFailed(Exception):
    pass


def run_queued_jobs() -> None:
    """Run every job waiting in the database queue, here and now, then return; raises
    JobFailed if one failed. For tests, and for work a request can't wait for a worker to do."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from django_tasks_db.utils import exclusive_transaction

    worker_id = new_worker_id()
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id=worker_id, excluded_queue_names=[],
    )
    failed_before = set(DBTaskResult.objects.failed().values_list("id", flat=True))
    # The library's loop, less its connection housekeeping (which would close a
    # connection a caller's transaction holds).
    while True:
        with exclusive_transaction():
            job = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if job is not None:
                job.claim(worker_id)
        if job is None:
            break
        worker.run_task(job)
    failed = DBTaskResult.objects.failed().exclude(id__in=failed_before).first()
    if failed:
        raise JobFailed(f"{failed.task_path} failed:\n{failed.traceback}")


def run(*, worker_id: str, batch: bool = False, interval: float = 1.0, max_tasks: int | None = None,
        on_ready: Callable[[], None] | None = None) -> None:
    """Run jobs until stopped (SIGTERM or Ctrl-C: the job under way finishes first), or with
    `batch`, until the queue is empty."""
    kind = backend_kind()
    clock = Clock(worker_id)
    clock.start()
    if on_ready:
        on_ready()
    try:
        if kind == "database":
            _run_database(worker_id, batch=batch, interval=interval, max_tasks=max_tasks)
        else:
            _run_rq(worker_id, batch=batch, max_tasks=max_tasks)
    finally:
        clock.stop()


def _run_database(worker_id: str, *, batch: bool, interval: float, max_tasks: int | None) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"], interval=interval, batch=batch, backend_name="default", startup_delay=not batch,
        max_tasks=max_tasks, worker_id=worker_id, excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        worker.run()
    except SystemExit:
        # The library's signal handler exits this way between jobs; the clock still stops.
        pass


def _run_rq(worker_id: str, *, batch: bool, max_tasks: int | None) -> None:
    import django_rq
    from rq.worker import SimpleWorker

    from aftercare.rq_backend import Job

    # SimpleWorker runs each job in this process (no fork per job): the clock's thread and
    # the database connections stay where they are, and a SIGKILL ends the job with the
    # worker, as on the database backend; another worker's clock then finds it
    # (requeue_lost_rq_jobs).
    worker = django_rq.get_worker("default", job_class=Job, worker_class=SimpleWorker, name=worker_id)
    worker.work(burst=batch, with_scheduler=True, max_jobs=max_tasks, logging_level="WARNING")
