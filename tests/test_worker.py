"""manage.py run_worker: real worker processes on the test database race for the same jobs
and the same scheduled minutes; one is killed with SIGKILL in the middle of a job. Every job
finishes exactly once, and every scheduled minute runs once. The database queue is the
default; the same tests run on RQ (Redis database 3) to show the swap is a setting."""

import datetime
import uuid
from collections import Counter

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from aftercare import worker
from aftercare.worker import Every, ScheduleTick, WorkerBeat, WorkerLost
from tests import jobs
from tests.services import REDIS_URL, app_env, redis_or_fail, start_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["database", "rq"])
def backend(request, settings):
    """The backend the test enqueues on and its workers run, by setting alone."""
    if request.param == "rq":
        redis_or_fail().flushdb()  # database 3 is the engine tests' own
        settings.TASKS = {"default": {"BACKEND": "aftercare.rq_backend.RQBackend", "QUEUES": ["default"]}}
        settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    yield request.param
    if request.param == "rq":
        redis_or_fail().flushdb()


@pytest.fixture
def log(tmp_path):
    return tmp_path / "jobs.log"


@pytest.fixture
def env(backend, log):
    extra = {"AFTERCARE_TEST_JOB_LOG": str(log), "WORKER_LOST_AFTER": "2", "AFTERCARE_SCHEDULE": "tests.jobs.SCHEDULE"}
    if backend == "rq":
        extra.update(TASKS_BACKEND="rq", TASKS_REDIS_URL=REDIS_URL)
    return app_env(**extra)


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(name, env, *args):
        process = start_worker(name, env, tmp_path, "--interval", "0.1", *args)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def lines(log, word):
    return [line.split()[1:] for line in (log.read_text().splitlines() if log.exists() else []) if line.startswith(word + " ")]


def beating(*names):
    return lambda: WorkerBeat.objects.filter(worker_id__in=names).count() == len(names)


def test_two_workers_run_each_of_many_jobs_exactly_once(backend, env, log, workers):
    a, b = workers("worker-a", env), workers("worker-b", env)
    wait_for(beating("worker-a", "worker-b"), timeout=30, what="both workers to start", processes=[a, b])
    results = [jobs.note.enqueue(key=f"job-{n}", seconds=0.02) for n in range(40)]

    wait_for(lambda: len(lines(log, "done")) >= 40, timeout=60, what="40 jobs", processes=[a, b])

    done = Counter(key for key, pid in lines(log, "done"))
    assert done == Counter({f"job-{n}": 1 for n in range(40)})
    by = {pid for key, pid in lines(log, "done")}
    assert by == {str(a.pid), str(b.pid)}, "both workers took jobs"
    for result in results:
        wait_for(lambda: (result.refresh() or result.status) == TaskResultStatus.SUCCESSFUL, timeout=10,
                 what=f"{result.id} marked successful")
        assert result.return_value == result.kwargs["key"]


# On RQ too: RQ's own sweep would fail the job after its timeout (ten minutes and more);
# the workers' clocks put it back in the queue once its worker is WORKER_LOST_AFTER quiet.
def test_a_job_whose_worker_is_killed_mid_way_runs_again_and_finishes_once(env, log, workers, backend):
    a = workers("worker-a", env)
    wait_for(beating("worker-a"), timeout=30, what="worker A to start", processes=[a])
    slow = jobs.note.enqueue(key="slow", seconds=60)
    wait_for(lambda: lines(log, "start"), timeout=30, what="worker A to start the slow job", processes=[a])
    others = [jobs.note.enqueue(key=f"after-{n}") for n in range(5)]

    a.kill()
    b = workers("worker-b", env)

    wait_for(lambda: len(lines(log, "done")) == 6, timeout=60, what="the slow job and the rest", processes=[b])
    assert [key for key, pid in lines(log, "start")].count("slow") == 2
    assert Counter(key for key, pid in lines(log, "done")) == Counter(["slow"] + [f"after-{n}" for n in range(5)])
    assert [pid for key, pid in lines(log, "done") if key == "slow"] == [str(b.pid)]
    slow.refresh()
    assert slow.status == TaskResultStatus.SUCCESSFUL
    assert slow.worker_ids == ["worker-a", "worker-b"]
    for result in others:
        result.refresh()
        assert result.worker_ids == ["worker-b"]


def test_a_job_killed_inside_its_transaction_leaves_nothing_and_runs_again_whole(env, log, workers, backend):
    a = workers("worker-a", env)
    wait_for(beating("worker-a"), timeout=30, what="worker A to start", processes=[a])
    job = jobs.two_rows.enqueue(key="pair", seconds=60)
    wait_for(lambda: lines(log, "start"), timeout=30, what="worker A to write the first row", processes=[a])

    a.kill()
    assert not ScheduleTick.objects.filter(name__startswith="pair-").exists()  # the first row went with the worker
    b = workers("worker-b", env)

    wait_for(lambda: lines(log, "done"), timeout=60, what="the job to run again on worker B", processes=[b])
    wait_for(lambda: (job.refresh() or job.status) == TaskResultStatus.SUCCESSFUL, timeout=10, what="the job marked done")
    assert sorted(ScheduleTick.objects.filter(name__startswith="pair-").values_list("name", flat=True)) == ["pair-first", "pair-second"]
    assert job.return_value == 2
    assert job.worker_ids == ["worker-a", "worker-b"]  # the lost try shows


@pytest.mark.parametrize("backend", ["rq"], indirect=True)
def test_on_rq_a_job_lost_on_every_try_is_failed_and_says_why(env, log, workers, backend, settings):
    env = {**env, "WORKER_MAX_ATTEMPTS": "1"}
    a = workers("worker-a", env)
    wait_for(beating("worker-a"), timeout=30, what="worker A to start", processes=[a])
    job = jobs.note.enqueue(key="slow", seconds=60)
    wait_for(lambda: lines(log, "start"), timeout=30, what="worker A to start the job", processes=[a])

    a.kill()
    b = workers("worker-b", env)

    wait_for(lambda: (job.refresh() or job.status) == TaskResultStatus.FAILED, timeout=30, what="the job failed", processes=[b])
    assert job.errors[-1].exception_class is WorkerLost
    assert "stopped answering on each of 1 tries: worker-a" in job.errors[-1].traceback
    assert lines(log, "done") == []


def test_each_scheduled_minute_is_taken_by_one_of_two_workers(env, log, workers, backend):
    a, b = workers("worker-a", env), workers("worker-b", env)

    # Two workers start at once and both catch up on the last ten minutes: eleven ticks.
    wait_for(lambda: len(lines(log, "tick")) >= 11, timeout=60, what="eleven ticks", processes=[a, b])
    wait_for(beating("worker-a", "worker-b"), timeout=30, what="both workers to start", processes=[a, b])

    minutes = Counter(minute for minute, pid in lines(log, "tick"))
    assert len(minutes) == 11 and set(minutes.values()) == {1}, minutes
    ticks = ScheduleTick.objects.filter(name="test-every-minute")
    assert sorted(tick.minute.isoformat() for tick in ticks) == sorted(minutes)


def test_a_tick_is_taken_once_however_often_it_is_claimed(db, settings):
    entry = Every("test-every-minute", "tests.jobs.note_tick", minutes=1)
    minute = timezone.now().replace(second=0, microsecond=0)

    first = worker.take_tick(entry, minute, "worker-a")
    second = worker.take_tick(entry, minute, "worker-b")

    assert first is not None and first.worker_id == "worker-a"
    assert second is None
    assert DBTaskResult.objects.filter(task_path="tests.jobs.note_tick").count() == 1


def test_a_daily_job_is_due_at_its_local_time_only(settings):
    settings.TIME_ZONE = "Europe/London"
    entry = Every("prune", "aftercare.tasks.prune_finished_jobs", at="04:10")
    summer = datetime.datetime(2026, 7, 1, 3, 10, tzinfo=datetime.timezone.utc)  # 04:10 in London (BST)
    assert entry.due(summer)
    assert not entry.due(summer + datetime.timedelta(minutes=1))
    assert not entry.due(summer + datetime.timedelta(hours=1))


def running_job(*worker_ids):
    result = jobs.note.enqueue(key=uuid.uuid4().hex)
    DBTaskResult.objects.filter(pk=result.id).update(status=TaskResultStatus.RUNNING, worker_ids=list(worker_ids))
    return result


def test_a_job_of_a_lost_worker_goes_back_in_the_queue_and_a_live_workers_stays(db, settings):
    now = timezone.now()
    WorkerBeat.objects.create(worker_id="alive", host="h", pid=1, started_at=now, seen_at=now)
    WorkerBeat.objects.create(worker_id="quiet", host="h", pid=2, started_at=now,
                              seen_at=now - datetime.timedelta(seconds=settings.WORKER_LOST_AFTER + 1))
    of_live, of_quiet, of_unknown = running_job("alive"), running_job("quiet"), running_job("never-heard-of")

    requeued = worker.requeue_lost_jobs()

    assert sorted(requeued) == sorted([of_quiet.id, of_unknown.id])
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses[uuid.UUID(of_live.id)] == TaskResultStatus.RUNNING
    assert statuses[uuid.UUID(of_quiet.id)] == TaskResultStatus.READY
    assert statuses[uuid.UUID(of_unknown.id)] == TaskResultStatus.READY


def test_a_job_lost_on_every_try_is_marked_failed_and_says_why(db, settings):
    settings.WORKER_MAX_ATTEMPTS = 3
    job = running_job("gone-1", "gone-2", "gone-3")

    worker.requeue_lost_jobs()

    job.refresh()
    assert job.status == TaskResultStatus.FAILED
    assert job.errors[0].exception_class is WorkerLost
    assert "stopped answering on each of 3 tries" in job.errors[0].traceback
