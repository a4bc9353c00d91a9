"""`make bench`: runs every benchmark script in bench/ and sums up their figures.

    .venv/bin/python bench/run.py                     # all of them
    .venv/bin/python bench/run.py --only handouts pictures
    .venv/bin/python bench/run.py --skip scale        # the scale bench takes minutes

Each script runs in its own process (so one's memory or imports never colour another's)
and prints its own report; the figures it hands over as BENCH lines (bench/figures.py)
are summed up at the end: median, min and max over the script's runs, the ratio to its
baseline and PASS or MISS against its budget. A script that exits non-zero, or is not
there on this branch, is said so plainly. The scale bench wants PostgreSQL: set
DATABASE_URL (it says where it ran).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import PREFIX, verdict  # noqa: E402

BENCH = Path(__file__).resolve().parent
# The order they run in; any other script in bench/ runs after these.
KNOWN = ["handouts", "pictures", "journey", "scale", "client_page", "lighthouse", "jobs"]
# Not benchmarks of their own: the harness and its helpers (the figures' format, the
# throwaway database), and the production load script (docs/load.md), which drives a
# server for minutes, and the multi-host proof (docs/scaling.md; tests/test_multihost.py
# runs it).
NOT_BENCHES = {"run", "figures", "throwaway", "load", "multihost"}


def scripts() -> list[str]:
    present = {p.stem for p in BENCH.glob("*.py") if not p.stem.startswith("_")} - NOT_BENCHES
    return [name for name in KNOWN if name in present] + sorted(present - set(KNOWN))


def run_one(name: str, timeout: int) -> tuple[int | str, list[dict], float]:
    print(f"\n=== bench/{name}.py " + "=" * max(0, 60 - len(name)), flush=True)
    start = time.perf_counter()
    figures = []
    try:
        process = subprocess.Popen(
            [sys.executable, str(BENCH / f"{name}.py")],
            cwd=BENCH.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        deadline = start + timeout
        for line in process.stdout:
            if line.startswith(PREFIX):
                figures.append(json.loads(line[len(PREFIX):]))
            else:
                print("  " + line, end="", flush=True)
            if time.perf_counter() > deadline:
                process.kill()
                break
        code = process.wait()
        if time.perf_counter() > deadline:
            code = f"stopped after {timeout} s"
    except OSError as error:
        code = str(error)
    return code, figures, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="just these scripts (names without .py)")
    parser.add_argument("--skip", nargs="*", default=[], help="leave these scripts out")
    parser.add_argument("--timeout", type=int, default=int(os.environ.get("BENCH_TIMEOUT", 1800)),
                        help="seconds one script may take (default 1800)")
    args = parser.parse_args()

    found = scripts()
    chosen = [n for n in found if (args.only is None or n in args.only) and n not in args.skip]
    absent = [n for n in KNOWN if n not in found]
    print(f"bench scripts found: {', '.join(found)}")
    if absent:
        print(f"not on this branch: {', '.join(absent)}")
    left_out = [n for n in found if n not in chosen]
    if left_out:
        print(f"left out this run: {', '.join(left_out)}")

    results = {name: run_one(name, args.timeout) for name in chosen}

    print("\n=== summary " + "=" * 60)
    misses = failures = 0
    for name, (code, figures, seconds) in results.items():
        state = "ran" if code == 0 else f"FAILED ({code})"
        failures += code != 0
        print(f"bench/{name}.py: {state} in {seconds:.0f} s, {len(figures)} figures")
        for line in figures:
            text, mark = verdict(line)
            misses += mark == "MISS"
            print(f"  {mark or 'info':4}  {line['figure']}: {text}")
    for name in absent:
        print(f"bench/{name}.py: not on this branch, did not run")
    print(f"\n{misses} figure(s) over budget, {failures} script(s) failed")
    return 1 if failures or misses else 0


if __name__ == "__main__":
    sys.exit(main())
