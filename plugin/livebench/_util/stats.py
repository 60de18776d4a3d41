"""Statistics of timing samples, from numpy and scipy: summaries, bootstrap CIs, Mann–Whitney U.

scipy.stats costs ~0.6 s to import, so nothing imports this module on a warm build: only a run that
measures, or a drift check that compares samples with the baseline's, does.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from scipy import stats

Verdict = Literal["faster", "slower", "no significant difference"]
NO_DIFFERENCE: Verdict = "no significant difference"
# Iglewicz & Hoaglin: |modified z| above 3.5 marks an outlier (the z uses the MAD, so outliers do not hide it).
OUTLIER_Z = 3.5
RESAMPLES = 4999
SEED = 20260  # fixed: the same samples give the same interval on every machine and every re-render


def _rng() -> np.random.Generator:
    return np.random.default_rng(SEED)


def _ci(data: tuple[np.ndarray, ...], statistic: Any) -> list[float]:
    if any(len(d) < 2 for d in data) or all(np.all(d == d[0]) for d in data):
        value = float(statistic(*data, axis=-1))
        return [value, value]  # no spread to resample (or too few samples to try)
    res = stats.bootstrap(data, statistic, n_resamples=RESAMPLES, confidence_level=0.95, method="percentile",
                          vectorized=True, rng=_rng())
    return [float(res.confidence_interval.low), float(res.confidence_interval.high)]


def _median(x: np.ndarray, axis: int = -1) -> Any:
    return np.median(x, axis=axis)


def _ratio(a: np.ndarray, b: np.ndarray, axis: int = -1) -> Any:
    return np.median(a, axis=axis) / np.median(b, axis=axis)


def summary(samples: Sequence[float]) -> dict[str, Any]:
    """median, mean, stddev, MAD, min, max, IQR, the median's 95 % bootstrap CI and the outliers' indexes."""
    x = np.asarray(samples, dtype=float)
    median = float(np.median(x))
    mad = float(stats.median_abs_deviation(x))  # raw MAD (scale 1), as hyperfine reports it
    q1, q3 = np.percentile(x, [25, 75])
    if mad > 0:
        z = 0.6745 * (x - median) / mad
        outliers = [int(i) for i in np.flatnonzero(np.abs(z) > OUTLIER_Z)]
    else:
        outliers = []
    return {
        "median": median, "mean": float(np.mean(x)), "stddev": float(np.std(x, ddof=1)) if len(x) > 1 else 0.0,
        "mad": mad, "min": float(np.min(x)), "max": float(np.max(x)), "iqr": float(q3 - q1),
        "ci95": _ci((x,), _median), "outliers": outliers,
    }


def compare(a: Sequence[float], b: Sequence[float], *, alpha: float = 0.05, min_effect: float = 0.05) -> dict[str, Any]:
    """``a`` against ``b``: the ratio of medians with its 95 % bootstrap CI, Mann–Whitney U's p, a verdict.

    "faster"/"slower" needs all three: p below ``alpha``, a CI that excludes 1, and a ratio at least
    ``min_effect`` away from 1 (a real but tiny difference is reported as no significant one).
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ratio = float(np.median(x) / np.median(y))
    lo, hi = _ci((x, y), _ratio)
    if np.all(x == x[0]) and np.all(y == y[0]) and x[0] == y[0]:
        p = 1.0  # identical constant samples: U is undefined, and there is nothing to tell apart
    else:
        p = float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue)
    verdict: Verdict = NO_DIFFERENCE
    # symmetric in a and b: 1.05 one way is 0.952 the other, and both must count as the same effect
    if p < alpha and ratio > 0 and abs(math.log(ratio)) >= math.log1p(min_effect):
        if hi < 1:
            verdict = "faster"
        elif lo > 1:
            verdict = "slower"
    return {"ratio": ratio, "ci95": [lo, hi], "p_value": p, "verdict": verdict}
