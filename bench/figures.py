"""How a bench script hands its figures to the harness (bench/run.py).

A script prints its own readable report, and for each figure one line

    BENCH {"figure": ..., "samples": [...], "unit": "ms", "baseline": ..., "baseline_samples": [...], "budget": 2.0}

The harness reads those lines and prints median, min and max of the samples, and, when
there is a baseline, the ratio of the medians and PASS or MISS against the budget (the
ratio may be at most `budget`). Without a baseline, `limit` is an absolute ceiling for the
median (e.g. queries), and a figure with neither is shown for information.
"""

from __future__ import annotations

import json
import statistics

PREFIX = "BENCH "


def report(
    figure: str,
    samples: list[float],
    *,
    unit: str = "ms",
    baseline: str | None = None,
    baseline_samples: list[float] | None = None,
    budget: float | None = None,
    limit: float | None = None,
) -> None:
    line = {"figure": figure, "samples": list(samples), "unit": unit}
    if baseline is not None:
        line.update(baseline=baseline, baseline_samples=list(baseline_samples or []), budget=budget)
    if limit is not None:
        line["limit"] = limit
    print(PREFIX + json.dumps(line), flush=True)


def verdict(line: dict) -> tuple[str, str]:
    """(what the figure is, PASS/MISS/'') for one BENCH line."""
    samples = line["samples"]
    unit = line.get("unit", "")
    median = statistics.median(samples)
    text = f"median {median:.1f} {unit} (min {min(samples):.1f}, max {max(samples):.1f}, n={len(samples)})"
    if line.get("baseline_samples"):
        base = line["baseline_samples"]
        base_median = statistics.median(base)
        ratio = median / base_median if base_median else float("inf")
        text += f"; {line['baseline']}: median {base_median:.1f} {unit} (min {min(base):.1f}, max {max(base):.1f})"
        budget = line.get("budget")
        if budget is None:
            return text + f"; ratio {ratio:.2f}x", ""
        return text + f"; ratio {ratio:.2f}x (budget {budget:g}x)", "PASS" if ratio <= budget else "MISS"
    if line.get("limit") is not None:
        return text + f" (at most {line['limit']:g})", "PASS" if median <= line["limit"] else "MISS"
    return text, ""


def median_ratio(samples: list[float], baseline_samples: list[float]) -> float:
    return statistics.median(samples) / statistics.median(baseline_samples)
