"""Figures for the post "Surprising emergent capabilities: a compilation and a measurement check".

Run from the repository root: PYTHONPATH=. .venv/bin/python figures/emergence_metric.py
"""

import json

import numpy as np
from matplotlib.ticker import FixedLocator, NullLocator

from experiments import emergence_metric as m
from figures.figlib import plt, save

KS = (1, 5, 20)
N_ITEMS = 200
SEED = 0
SEEDS = tuple(range(20))
N_FIT = 5
K_FORECAST = 20
FORECAST_NAMES = {"smooth": "A (smooth)", "jump": "B (abrupt)"}
SHORT_LABELS = {"smooth": "A: smooth", "jump": "B: shared switch", "items": "C: spread switches"}
LABELS = {"smooth": "A: smooth competence", "jump": "B: abrupt mechanism, shared switch", "items": "C: abrupt per item, spread switches"}


def _log_ticks(ax, ticks, fmt=False):
    """Few fixed major ticks and no minor ticks on a log axis (keeps text layout cheap)."""
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())
    if fmt:
        ax.set_yticklabels([f"{t:g}" for t in ticks])


def metrics_figure():
    xf = np.linspace(0.0, 6.0, 241)
    xl = m.ladder()
    thr = m.item_thresholds(N_ITEMS, SEED + 10_000)
    fig, axes = plt.subplots(2, 2, figsize=(9.4, 6.8))

    # (a) smooth competence, linear axis
    ax = axes[0, 0]
    e = m.expected_metrics(xf, "smooth", KS)
    ax.plot(xf, e["acc"], color="0.35", ls="--", label="per-token accuracy")
    for i, k in enumerate(KS[1:]):
        ax.plot(xf, e["em"][k], color=f"C{i}", label=f"exact match, k = {k}")
        meas = m.measured_metrics(xl, "smooth", k, N_ITEMS, SEED)
        ax.plot(xl, meas["em"], "o", color=f"C{i}", ms=4)
    ax.set_title("(a) A: smooth per-token competence", fontsize=10)
    ax.set_ylabel("score (fraction correct)")
    ax.legend(loc="upper left")

    # (b) the same on a log axis, with the finite-sample floor
    ax = axes[0, 1]
    for i, k in enumerate(KS[1:]):
        ax.semilogy(xf, e["em"][k], color=f"C{i}", label=f"exact match, k = {k}")
        meas = m.measured_metrics(xl, "smooth", k, N_ITEMS, SEED)
        pos = meas["em"] > 0
        ax.semilogy(xl[pos], meas["em"][pos], "o", color=f"C{i}", ms=4)
        ax.semilogy(xl[~pos], np.full((~pos).sum(), 0.5 / N_ITEMS), "v", color=f"C{i}", ms=5, mfc="none")
    ax.axhline(1.0 / N_ITEMS, color="0.4", lw=1, ls=":", label=f"1/{N_ITEMS} resolution (▽: measured 0)")
    ax.set_ylim(1e-8, 1.5)
    _log_ticks(ax, [1e-8, 1e-6, 1e-4, 1e-2, 1])
    ax.set_title("(b) A on a log axis: log exact match = k · log p", fontsize=10)
    ax.set_ylabel("exact-match rate (log scale)")
    ax.legend(loc="lower right")

    # (c) abrupt mechanism
    ax = axes[1, 0]
    ej = m.expected_metrics(xf, "jump", KS)
    ax.plot(xf, ej["acc"], color="0.35", ls="--", label="per-token accuracy")
    for i, k in enumerate(KS[1:]):
        ax.plot(xf, ej["em"][k], color=f"C{i}", label=f"exact match, k = {k}")
        meas = m.measured_metrics(xl, "jump", k, N_ITEMS, SEED)
        ax.plot(xl, meas["em"], "o", color=f"C{i}", ms=4)
    ax.set_title("(c) B: weak trend plus an abrupt mechanism at x = 4", fontsize=10)
    ax.set_ylabel("score (fraction correct)")
    ax.legend(loc="upper left")

    # (d) the continuous metric in all three scenarios
    ax = axes[1, 1]
    for i, s in enumerate(m.SCENARIOS):
        ex = m.expected_metrics(xf, s, (1,), thresholds=thr if s == "items" else None)
        ax.plot(xf, ex["logprob"], color=f"C{i + 2}", label=SHORT_LABELS[s])
    ax.set_title("(d) the continuous metric: mean log-probability per token", fontsize=10)
    ax.set_ylabel("mean log p(correct token) (nats)")
    ax.legend(loc="lower right")
    for ax in axes.ravel():
        ax.set_xlabel("scale x (log10 training compute, decades)")
        ax.set_xlim(-0.1, 6.1)
    fig.tight_layout()
    save(fig, "emergence_metric_curves", params={"defaults": m.DEFAULTS, "ks": KS, "n_items": N_ITEMS, "seed": SEED, "ladder": xl.tolist()})


def forecast_figure():
    sweeps = {s: m.seed_sweep(s, SEEDS, K_FORECAST, N_ITEMS, N_FIT) for s in m.SCENARIOS}
    x = sweeps["smooth"]["x"]
    fig, axes = plt.subplots(1, 3, figsize=(10.0, 4.2), layout="constrained")

    ax = axes[0]
    for i, s in enumerate(("smooth", "jump")):
        f = m.forecast(s, K_FORECAST, N_ITEMS, N_FIT, SEED)
        xf = np.linspace(0, 6, 121)
        c0, c1 = f["coef"]
        ax.semilogy(
            xf,
            (1 / (1 + np.exp(-(c0 + c1 * xf)))) ** K_FORECAST,
            color=f"C{i + 2}",
            ls="--",
            label=f"{FORECAST_NAMES[s]}: forecast from fit",
        )
        ax.semilogy(x, np.maximum(f["em_population"], 1e-30), "o-", color=f"C{i + 2}", ms=4, lw=1, label=f"{FORECAST_NAMES[s]}: actual")
    ax.axvspan(-0.1, x[N_FIT - 1] + 0.05, color="0.85", alpha=0.5, lw=0)
    ax.set_ylim(1e-20, 2)
    _log_ticks(ax, [1e-20, 1e-15, 1e-10, 1e-5, 1])
    ax.set_title(f"(a) exact match, k = {K_FORECAST}", fontsize=10, loc="left")
    ax.set_ylabel("exact-match rate (log scale)")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", ncol=2)

    ax = axes[1]
    beyond = x > x[N_FIT - 1]
    for i, s in enumerate(m.SCENARIOS):
        sp = sweeps[s]["surprise"][:, beyond]
        ax.plot(x[beyond], np.median(sp, axis=0), "o-", color=f"C{i + 2}", ms=4, label=LABELS[s])
        ax.fill_between(x[beyond], sp.min(axis=0), sp.max(axis=0), color=f"C{i + 2}", alpha=0.2, lw=0)
    ax.axhline(0, color="0.4", lw=1)
    ax.set_title("(b) surprise beyond the fit range", fontsize=10, loc="left")
    ax.set_ylabel("log10(actual / forecast exact match)")

    ax = axes[2]
    for i, s in enumerate(m.SCENARIOS):
        od = sweeps[s]["overdispersion"]
        ax.semilogy(x, np.nanmedian(od, axis=0), "o-", color=f"C{i + 2}", ms=4, label=LABELS[s])
        ax.fill_between(x, np.nanmin(od, axis=0), np.nanmax(od, axis=0), color=f"C{i + 2}", alpha=0.2, lw=0)
    _log_ticks(ax, [0.5, 1, 2, 5, 10, 20], fmt=True)
    ax.axvspan(-0.1, x[N_FIT - 1] + 0.05, color="0.85", alpha=0.5, lw=0)
    ax.set_title("(c) overdispersion of token accuracy", fontsize=10, loc="left")
    ax.set_ylabel("variance ratio (1 = identical items)")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower right", ncol=1)
    for ax in axes:
        ax.set_xlabel("scale x (log10 training compute, decades)")
        ax.set_xlim(-0.1, 6.1)
    save(
        fig,
        "emergence_metric_forecast",
        params={"defaults": m.DEFAULTS, "k": K_FORECAST, "n_items": N_ITEMS, "n_fit": N_FIT, "seeds": list(SEEDS)},
    )
    return sweeps


def summary(sweeps):
    """Numbers quoted in the post (printed, not saved)."""
    x = sweeps["smooth"]["x"]
    out = {"x": x.tolist()}
    for s, sw in sweeps.items():
        out[s] = {
            "slope_median": float(np.median(sw["slope"])),
            "slope_range": [float(sw["slope"].min()), float(sw["slope"].max())],
            "surprise_median": np.round(np.median(sw["surprise"], axis=0), 2).tolist(),
            "surprise_min": np.round(sw["surprise"].min(axis=0), 2).tolist(),
            "surprise_max": np.round(sw["surprise"].max(axis=0), 2).tolist(),
            "od_median": np.round(np.nanmedian(sw["overdispersion"], axis=0), 2).tolist(),
            "od_min": np.round(np.nanmin(sw["overdispersion"], axis=0), 2).tolist(),
            "od_max": np.round(np.nanmax(sw["overdispersion"], axis=0), 2).tolist(),
            "em_measured_seed0": sw["em_measured"][0].tolist(),
        }
    xl = m.ladder()
    thr = m.item_thresholds(N_ITEMS, SEED + 10_000)
    for s in m.SCENARIOS:
        e = m.expected_metrics(xl, s, KS, thresholds=thr if s == "items" else None)
        out[s]["acc"] = np.round(e["acc"], 3).tolist()
        out[s]["logprob"] = np.round(e["logprob"], 3).tolist()
        out[s]["largest_logprob_step"] = m.largest_step(xl, e["logprob"])
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    metrics_figure()
    summary(forecast_figure())
