"""How many human-speed copies can the compute that trained a model run?

Karnofsky (2022) argued that whoever trains the first human-level AI could use
the *same* compute to run "several hundred million copies" of it.  This module
recomputes that kind of claim from explicit, sourced ranges, with a Monte Carlo
over the ranges.

Model (all quantities per second unless noted)
----------------------------------------------
* Training compute ``C`` (FLOP), spread over ``T`` days at model-FLOP
  utilisation ``u_train``.  The cluster's peak throughput is therefore
  ``P = C / (86400 T u_train)`` FLOP/s.
* The model has ``N`` *active* parameters and was trained on ``D = r N``
  tokens, so ``C = 6 N D = 6 r N^2`` (Kaplan et al. 2020; Hoffmann et al.
  2022) and ``N = sqrt(C / (6 r))``.  ``r`` is the tokens-per-active-parameter
  ratio: 20 for Chinchilla-optimal training, about 38 for Llama 3 405B, about
  400 for DeepSeek-V3 (37B active parameters, 14.8T tokens).
* Generating one token costs ``2 N`` FLOP (Kaplan et al. 2020).  Run on the
  same cluster at inference utilisation ``u_inf`` (an assumption: decoding is
  memory-bound and utilisation depends on batching), the cluster produces
  ``P u_inf / (2 N)`` tokens/s.
* A *human-speed copy* emits ``w`` tokens per second, where
  ``w = wpm * tokens_per_word * verbosity / 60``: ``wpm`` is a human verbal
  rate (183 wpm reading aloud, Brysbaert 2019, to 380 wpm "thinking rate",
  the figure Steinhardt 2023 uses), ``tokens_per_word`` converts words to
  tokens and ``verbosity`` is how many model tokens buy one human-equivalent
  token of useful work (an assumption; reasoning models spend many tokens).

Then

    copies = P u_inf / (2 N w)
           = C^{1/2} (6 r)^{1/2} u_inf / (2 * 86400 T u_train w).

A human works about 8 of 24 hours, so one copy running around the clock does
the work of ``24 / hours_per_day`` human workers; ``worker_equivalents`` and
``tokens_per_workday`` use that conversion.

Because ``log(copies)`` is a linear combination of the logs of the inputs, its
variance splits exactly into one share per (independent) input:
``share_i = (e_i sd(log x_i))^2 / var(log copies)`` with elasticities
``e = {C: 1/2, r: 1/2, u_inf: 1, u_train: -1, T: -1, wpm: -1, verbosity: -1,
tokens_per_word: -1}``.

Everything is pure numpy, seeded with ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import numpy as np

SECONDS_PER_DAY = 86_400.0

# Each range: (low, high, distribution).  "loguniform" samples log10 uniformly.
# Sources are given in the post; entries marked "assumption" have none.
DEFAULT_RANGES: dict[str, tuple[float, float, str]] = {
    # Training compute of the first human-level model, FLOP.  Low end ~2.6x
    # Llama 3 405B (3.8e25); high end 1e29 (three more years of 4-5x/yr growth).
    "C": (1e26, 1e29, "loguniform"),
    # Training duration, days: frontier runs last "several months"; Epoch AI
    # estimates runs beyond ~9 months are inefficient.
    "T": (90.0, 270.0, "uniform"),
    # Training tokens per active parameter: Chinchilla 20 .. DeepSeek-V3 ~400.
    "r": (20.0, 400.0, "loguniform"),
    # Training model-FLOP utilisation: Llama 3 405B reports 38-43%.
    "u_train": (0.30, 0.45, "uniform"),
    # Inference utilisation of peak FLOP/s (assumption, wide).
    "u_inf": (0.05, 0.50, "loguniform"),
    # Human verbal rate, words per minute: 183 (reading aloud) .. 380 ("thinking").
    "wpm": (183.0, 380.0, "uniform"),
    # Tokens per English word (assumption, narrow).
    "tokens_per_word": (1.2, 1.5, "uniform"),
    # Model tokens per human-equivalent token of useful work (assumption, wide).
    "verbosity": (1.0, 10.0, "loguniform"),
}

ELASTICITY = {
    "C": 0.5,
    "r": 0.5,
    "u_inf": 1.0,
    "u_train": -1.0,
    "T": -1.0,
    "wpm": -1.0,
    "tokens_per_word": -1.0,
    "verbosity": -1.0,
}


def active_params(C, r):
    """Active parameters N of a model trained with compute C at D = r N tokens."""
    return np.sqrt(np.asarray(C, dtype=float) / (6.0 * np.asarray(r, dtype=float)))


def human_token_rate(wpm, tokens_per_word, verbosity):
    """Tokens per second a human-speed copy must emit."""
    return np.asarray(wpm, dtype=float) * tokens_per_word * verbosity / 60.0


def copies(C, T, r, u_train, u_inf, wpm, tokens_per_word, verbosity, reuse=1.0):
    """Concurrent human-speed copies runnable on the training cluster.

    ``reuse`` is the fraction of the training cluster devoted to running copies
    (Karnofsky's claim uses all of it: reuse = 1).
    """
    C = np.asarray(C, dtype=float)
    peak = C / (SECONDS_PER_DAY * np.asarray(T, dtype=float) * np.asarray(u_train, dtype=float))
    flop_per_token = 2.0 * active_params(C, r)
    tokens_per_s = reuse * peak * np.asarray(u_inf, dtype=float) / flop_per_token
    return tokens_per_s / human_token_rate(wpm, tokens_per_word, verbosity)


def tokens_per_workday(wpm, tokens_per_word, verbosity, hours_per_day=8.0):
    """Tokens a copy emits in one human-equivalent working day."""
    return human_token_rate(wpm, tokens_per_word, verbosity) * hours_per_day * 3600.0


def sample_inputs(n, seed=0, ranges=None):
    """Draw ``n`` independent samples of every input from its range."""
    ranges = DEFAULT_RANGES if ranges is None else ranges
    rng = np.random.default_rng(seed)
    out = {}
    for name in DEFAULT_RANGES:  # fixed order, so the seed fixes every draw
        lo, hi, kind = ranges[name]
        if kind == "loguniform":
            out[name] = 10.0 ** rng.uniform(np.log10(lo), np.log10(hi), size=n)
        elif kind == "uniform":
            out[name] = rng.uniform(lo, hi, size=n)
        elif kind == "fixed":
            out[name] = np.full(n, float(lo))
        else:
            raise ValueError(f"unknown distribution {kind!r} for {name}")
    return out


def variance_shares(samples, log_copies):
    """Exact share of var(log10 copies) contributed by each independent input."""
    total = float(np.var(log_copies))
    shares = {}
    for name, e in ELASTICITY.items():
        shares[name] = float((e**2) * np.var(np.log10(samples[name])) / total) if total > 0 else 0.0
    return shares


def monte_carlo(n=200_000, seed=0, ranges=None, hours_per_day=8.0, reuse=1.0):
    """Monte Carlo over the input ranges.

    Returns a dict with the samples, ``copies`` (concurrent human-speed copies),
    ``workers`` (human-worker equivalents, copies * 24 / hours_per_day),
    percentiles, variance shares, and the probability of reaching reference
    counts (1e6 copies, Steinhardt's ">= 1 million"; 2e8 copies, the bottom of
    Karnofsky's "several hundred million").
    """
    s = sample_inputs(n, seed=seed, ranges=ranges)
    c = copies(s["C"], s["T"], s["r"], s["u_train"], s["u_inf"], s["wpm"], s["tokens_per_word"], s["verbosity"], reuse=reuse)
    workers = c * 24.0 / hours_per_day
    logc = np.log10(c)
    qs = [5, 25, 50, 75, 95]
    return {
        "n": n,
        "seed": seed,
        "samples": s,
        "copies": c,
        "workers": workers,
        "N_active": active_params(s["C"], s["r"]),
        "tokens_per_workday": tokens_per_workday(s["wpm"], s["tokens_per_word"], s["verbosity"], hours_per_day),
        "percentiles": {q: float(np.percentile(c, q)) for q in qs},
        "worker_percentiles": {q: float(np.percentile(workers, q)) for q in qs},
        "p_ge_1e6": float(np.mean(c >= 1e6)),
        "p_ge_2e8": float(np.mean(c >= 2e8)),
        "shares": variance_shares(s, logc),
    }


def point_estimate(**overrides):
    """Copies at the geometric/arithmetic midpoint of every range, with overrides."""
    mid = {}
    for name, (lo, hi, kind) in DEFAULT_RANGES.items():
        mid[name] = float(np.sqrt(lo * hi)) if kind == "loguniform" else 0.5 * (lo + hi)
    mid.update(overrides)
    return float(copies(**mid)), mid


def conditional_on_compute(C_values, n=50_000, seed=1):
    """Median and 5-95% band of copies when training compute is fixed at each value."""
    rows = []
    for i, C in enumerate(C_values):
        ranges = dict(DEFAULT_RANGES)
        ranges["C"] = (float(C), float(C), "fixed")
        res = monte_carlo(n=n, seed=seed + i, ranges=ranges)
        rows.append((float(C), res["percentiles"][5], res["percentiles"][50], res["percentiles"][95]))
    arr = np.array(rows)
    return {"C": arr[:, 0], "p5": arr[:, 1], "p50": arr[:, 2], "p95": arr[:, 3]}
