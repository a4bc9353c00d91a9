"""More than one host, briefly: bench/multihost.py starts two web processes (gunicorn, two
ports) and two workers on one PostgreSQL, one Redis and one SeaweedFS bucket. A picture
uploaded through web A is served and printed by web B; exports and days' handouts asked
for at once all finish exactly once, with a worker killed (SIGKILL) in the middle of a job.
Needs PostgreSQL on 127.0.0.1:5432 (a throwaway database beside the suite's), Redis
(database 3) and `weed`: with CI=true a missing one fails the test."""

import json
import os
import re
import signal
import subprocess
import sys

import pytest

from tests.services import ROOT, missing, redis_or_fail


@pytest.fixture(scope="module")
def run() -> dict:
    try:
        import psycopg

        url = os.environ.get("DATABASE_URL", "")
        server = url.partition("?")[0].rpartition("/")[0] if url.startswith("postgres") else "postgres://postgres@127.0.0.1:5432"
        psycopg.connect(f"{server}/postgres", connect_timeout=3).close()
    except Exception as e:
        missing(f"PostgreSQL on 127.0.0.1:5432 for the multi-host test ({e})")
    redis_or_fail()
    command = [sys.executable, "bench/multihost.py", "--exports", "6", "--days", "3"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"bench/multihost.py took more than 240 s:\n{stdout}\n{stderr[-5000:]}")
    found = re.search(r"^MULTIHOST (.*)$", stdout, re.M)
    assert found, f"bench/multihost.py printed no summary (exit {process.returncode}):\n{stdout}\n{stderr[-5000:]}"
    return {"exit": process.returncode, "stderr": stderr[-5000:], **json.loads(found.group(1))}


def test_a_picture_uploaded_through_one_web_process_is_served_and_printed_by_the_other(run):
    assert run["picture_served_by_b"], run
    assert run["handout_by_b_has_picture"], run
    assert not run["picture_on_local_disk"], run


def test_exports_and_day_handouts_all_finish_exactly_once_with_a_worker_killed_midway(run):
    assert run["exports_ready"] == run["exports_downloaded"] == run["exports_asked"] == 6, run
    assert run["export_jobs_per_export"] == [1], run
    assert run["day_stacks_ready"] == run["days_asked"] == 3, run
    assert run["jobs"] == run["jobs_asked"] and run["jobs_failed"] == 0, run
    assert run["jobs_run_again_after_the_kill"] >= 1, run
    assert run["exit"] == 0, run["stderr"]
