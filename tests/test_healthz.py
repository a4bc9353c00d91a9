"""/healthz: 200 once the database answers and the workers take jobs in time; 503 with
the reason otherwise."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import jobs
from tests.services import REDIS_URL, free_port, redis_or_fail


def test_healthz_answers_once_the_database_does(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


# Workers: /healthz says when they have stopped taking jobs (the oldest job that could run
# has waited longer than HEALTHZ_QUEUE_LIMIT), on the database queue and on RQ.

def waiting_since(seconds: float, **using):
    result = jobs.note.using(**using).enqueue(key="waiting")
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - datetime.timedelta(seconds=seconds))
    return result


def test_healthz_is_ok_while_jobs_are_taken_in_time(client, db, settings):
    settings.HEALTHZ_QUEUE_LIMIT = 300
    waiting_since(30)
    assert client.get("/healthz").status_code == 200


def test_healthz_says_when_workers_have_stopped_taking_jobs(client, db, settings):
    settings.HEALTHZ_QUEUE_LIMIT = 300
    waiting_since(400)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content.decode().startswith("workers have stopped taking jobs: the oldest waiting job has waited 40")
    assert "limit 300 s" in response.content.decode()


def test_a_job_deferred_to_later_is_not_waiting(client, db, settings):
    settings.HEALTHZ_QUEUE_LIMIT = 300
    waiting_since(400, run_after=timezone.now() + datetime.timedelta(hours=1))
    assert client.get("/healthz").status_code == 200


def test_a_limit_of_zero_leaves_the_queue_out_of_healthz(client, db, settings):
    settings.HEALTHZ_QUEUE_LIMIT = 0
    waiting_since(4000)
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def on_rq(settings):
    connection = redis_or_fail()
    connection.flushdb()  # database 3 is the engine tests' own
    settings.TASKS = {"default": {"BACKEND": "aftercare.rq_backend.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.HEALTHZ_QUEUE_LIMIT = 300
    yield connection
    connection.flushdb()


def test_healthz_says_when_rq_workers_have_stopped_taking_jobs(client, db, on_rq):
    import django_rq

    result = jobs.note.enqueue(key="waiting")
    assert client.get("/healthz").status_code == 200
    job = django_rq.get_queue("default").fetch_job(result.id)
    job.enqueued_at = timezone.now() - datetime.timedelta(seconds=400)
    job.save()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert "workers have stopped taking jobs" in response.content.decode()


def test_healthz_says_when_the_queues_redis_is_down(client, db, on_rq, settings):
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{free_port()}/3"}}

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content.decode().startswith("job queue unavailable (Redis:")
