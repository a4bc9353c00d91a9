"""Lighthouse on the client's page: performance and accessibility, mobile preset.

Serves the app as bench/client_page.py does (gunicorn, production settings, a seeded
throwaway database, one client link from ShareLink.issue), then runs npm's lighthouse
against the system Chromium with its default form factor (a phone on a throttled network
and CPU), several times, and prints each score and the median. Budgets: performance at
least 95, accessibility 100.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--keep-report report.html]

Lighthouse is installed on first use into bench/.node (git-ignored), at the version pinned
below; Node 18.16 or newer is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client_page import HEADERS, served_app  # noqa: E402

LIGHTHOUSE_VERSION = "12.8.2"
NODE_FOLDER = Path(__file__).resolve().parent / ".node"
LIGHTHOUSE = NODE_FOLDER / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
BUDGETS = {"performance": 95, "accessibility": 100}


def installed_lighthouse() -> Path:
    package = NODE_FOLDER / "node_modules" / "lighthouse" / "package.json"
    if not package.exists() or json.loads(package.read_text())["version"] != LIGHTHOUSE_VERSION:
        print(f"Installing lighthouse {LIGHTHOUSE_VERSION} into {NODE_FOLDER} ...", flush=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(NODE_FOLDER), f"lighthouse@{LIGHTHOUSE_VERSION}", "--no-audit", "--no-fund"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return LIGHTHOUSE


def lighthouse(url: str, report: Path, tries: int = 3) -> dict:
    """One Lighthouse run; headless Chromium on a busy machine now and then loses the
    trace (NO_NAVSTART), so a failed run is tried again, twice at most."""
    done = subprocess.run(
        [
            str(installed_lighthouse()),
            url,
            "--quiet",
            "--only-categories=performance,accessibility",
            "--chrome-flags=--headless --no-sandbox",
            f"--extra-headers={json.dumps(HEADERS)}",
            "--output=json",
            "--output=html",
            f"--output-path={report}",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )
    if done.returncode != 0:
        if tries <= 1:
            raise SystemExit("lighthouse failed; see its message above")
        print("    lighthouse failed; trying that run again", flush=True)
        return lighthouse(url, report, tries - 1)
    return json.loads(report.with_suffix(".report.json").read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="lighthouse runs (default 3)")
    parser.add_argument("--keep-report", type=Path, help="copy the last run's HTML report here")
    args = parser.parse_args()
    scores: dict[str, list[int]] = {name: [] for name in BUDGETS}
    with tempfile.TemporaryDirectory(prefix="aftercare-lighthouse-") as folder, served_app() as app:
        print(f"lighthouse {LIGHTHOUSE_VERSION}, mobile preset, Chromium at {CHROMIUM}, {args.runs} runs")
        for n in range(args.runs):
            result = lighthouse(app.url + app.page, Path(folder) / "report")
            for name in BUDGETS:
                scores[name].append(round(result["categories"][name]["score"] * 100))
            audits = result["audits"]
            metrics = ", ".join(
                f"{key} {audits[key]['displayValue']}"
                for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")
            )
            print(f"  run {n + 1}: performance {scores['performance'][-1]}, accessibility {scores['accessibility'][-1]} ({metrics})")
            failing = [
                f"{audit['id']}: {audit['title']}"
                for audit in audits.values()
                if audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
            ]
            for line in failing:
                print(f"    to look at: {line}")
        if args.keep_report:
            args.keep_report.write_bytes((Path(folder) / "report.report.html").read_bytes())
    verdicts = []
    for name, budget in BUDGETS.items():
        median = statistics.median(scores[name])
        verdict = "PASS" if median >= budget else "MISS"
        verdicts.append(verdict)
        print(f"{verdict}: {name} median {median:g} (min {min(scores[name])}, max {max(scores[name])}), budget at least {budget}")
    return 0 if all(v == "PASS" for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
