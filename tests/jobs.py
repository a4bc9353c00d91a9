"""Jobs the engine's tests run in real worker processes (`manage.py run_worker` imports them
as tests.jobs). Each writes a line to the file AFTERCARE_TEST_JOB_LOG names, so a test
can count starts and finishes across processes."""

import datetime
import os
import time
from pathlib import Path

from django.db import transaction
from django_tasks import task

from aftercare.worker import Every, ScheduleTick


def _log(line: str) -> None:
    # One short write in append mode: lines from several processes never interleave.
    with Path(os.environ["AFTERCARE_TEST_JOB_LOG"]).open("a") as log:
        log.write(f"{line} {os.getpid()}\n")


@task(takes_context=True)
def note(context, key: str, seconds: float = 0.0) -> str:
    """Takes `seconds` on its first try only, so a test can kill a worker in the middle."""
    _log(f"start {key}")
    if context.attempt == 1:
        time.sleep(seconds)
    _log(f"done {key}")
    return key


@task(takes_context=True)
def two_rows(context, key: str, seconds: float = 0.0) -> int:
    """Writes two rows in one transaction, taking `seconds` between them on its first try
    only: a worker killed there must leave neither (and the run again both, once)."""
    minute = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    with transaction.atomic():
        ScheduleTick.objects.create(name=f"{key}-first", minute=minute, worker_id="test")
        _log(f"start {key}")
        if context.attempt == 1:
            time.sleep(seconds)
        ScheduleTick.objects.create(name=f"{key}-second", minute=minute, worker_id="test")
    _log(f"done {key}")
    return ScheduleTick.objects.filter(name__startswith=f"{key}-").count()


@task
def note_tick(minute: str) -> None:
    _log(f"tick {minute}")


SCHEDULE = [Every("test-every-minute", "tests.jobs.note_tick", minutes=1)]


@task
def nothing(n: int) -> int:
    """A trivial job, for the throughput figures (bench/jobs.py)."""
    return n
