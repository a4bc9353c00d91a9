"""A newcomer's two commands: `make run` installs what the app needs to run, and `make
test` everything the tests need (read from what make would do, without doing it)."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def planned(target: str, tmp_path) -> str:
    # A virtual environment that doesn't exist yet: make plans the whole install.
    result = subprocess.run(["make", "-n", target, f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True,
                            text=True, timeout=30, check=True)
    return result.stdout


def test_make_run_installs_the_app_alone(tmp_path):
    plan = planned("run", tmp_path)
    assert "pip install --quiet -e ." in plan
    assert "[dev]" not in plan
    assert "chromium" not in plan and "zbar-tools" not in plan
    assert "fonts-noto-cjk" in plan and "libpango" in plan
    assert "DPkg::Lock::Timeout" in plan  # waits for another apt instead of failing


def test_make_test_brings_the_test_tools_and_their_system_packages(tmp_path):
    plan = planned("test", tmp_path)
    assert "-e '.[dev]'" in plan
    assert "chromium" in plan and "zbar-tools" in plan and "redis-server" in plan


def test_make_run_and_make_test_both_compile_the_translations(tmp_path):
    # The .mo files are build output (never committed): both journeys compile them, with
    # GNU gettext from the app's own system packages.
    for target in ("run", "test"):
        plan = planned(target, tmp_path)
        assert "manage.py compilemessages" in plan
        assert " gettext" in plan
