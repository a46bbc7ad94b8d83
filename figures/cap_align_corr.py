"""Figures for the capabilities-alignment-correlation post (R20).

Two figures from experiments/cap_align_corr.py:

* cap_align_corr_bins: per-capability-decile statistics for the default world
  (SA threshold c_star = 0.5) against a control in which no model ever becomes
  situationally aware; means over 5 seeds.
* cap_align_corr_sweeps: pooled Spearman statistics as three parameters vary
  (goal-guarding leak, SA threshold, evaluation recognition); mean +/- sd over
  5 seeds.
"""

from __future__ import annotations

import numpy as np

from experiments import cap_align_corr as exp
from figures.figlib import plt, save

SEEDS = (0, 1, 2, 3, 4)


def fig_bins() -> None:
    sa = exp.bin_stats_seeds(seeds=SEEDS)
    ctrl = exp.bin_stats_seeds(seeds=SEEDS, c_star=np.inf)
    x = sa["centre"]["mean"]
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.3))
    below = dict(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1)

    ax = axes[0]
    ax.plot(x, sa["mean_M"]["mean"], "o-", color="C0", label="measured (eval), SA world")
    ax.plot(x, sa["mean_A"]["mean"], "s--", color="C3", label="true (unmonitored), SA world")
    ax.plot(x, ctrl["mean_A"]["mean"], ":", color="0.4", label="true, no-SA control")
    ax.set_xlabel("final capability C (decile centre)")
    ax.set_ylabel("mean alignment score (model units)")
    ax.legend(**below)
    ax.set_title("(a)", loc="left")

    ax = axes[1]
    ax.plot(x, sa["validity"]["mean"], "o-", color="C0", label="eval validity ρ(M, A), SA world")
    ax.plot(x, ctrl["validity"]["mean"], ":", color="0.4", label="eval validity, no-SA control")
    ax.plot(x, sa["recall"]["mean"], "^-", color="C1", label="misaligned models flagged, SA world")
    ax.set_xlabel("final capability C (decile centre)")
    ax.set_ylabel("Spearman ρ / fraction")
    ax.set_ylim(-0.05, 1.0)
    ax.legend(**below)
    ax.set_title("(b)", loc="left")

    ax = axes[2]
    ax.plot(x, sa["frac_sa"]["mean"], "o-", color="C2", label="situationally aware")
    ax.plot(x, sa["frac_misaligned"]["mean"], "s--", color="C3", label="misaligned (v < 0)")
    ax.plot(x, sa["frac_gaming"]["mean"], "^-", color="C4", label="misaligned and gaming")
    ax.set_xlabel("final capability C (decile centre)")
    ax.set_ylabel("fraction of models in decile")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(**below)
    ax.set_title("(c)", loc="left")

    fig.tight_layout()
    params = dict(exp.DEFAULTS)
    params.update({"seeds": list(SEEDS), "n_bins": 10, "control": "c_star = inf"})
    save(fig, "cap_align_corr_bins", params=params)


def fig_sweeps() -> None:
    sweeps = [
        ("leak", [0.0, 0.05, 0.1, 0.25, 0.5, 1.0], "goal-guarding leak λ"),
        ("c_star", [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], "SA threshold c* (capability units)"),
        ("eval_recognition", [0.0, 0.25, 0.5, 0.75, 0.9, 1.0], "P(gaming model recognises eval)"),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.3), sharey=True)
    for ax, (param, vals, label), tag in zip(axes, sweeps, "abc"):
        sw = exp.sweep(param, vals, seeds=SEEDS)
        v = sw["values"]
        for stat, style, colour, name in (
            ("rho_CM", "o-", "C0", "ρ(C, measured), Safetywashing-style"),
            ("rho_CA", "s--", "C3", "ρ(C, true alignment)"),
            ("validity", "^-", "C1", "ρ(measured, true): eval validity"),
        ):
            arr = sw["all"][stat]
            ax.errorbar(v, arr.mean(1), yerr=arr.std(1), fmt=style, color=colour, capsize=2, label=name)
        ax.set_xlabel(label)
        ax.set_title(f"({tag})", loc="left")
    axes[0].set_ylabel("Spearman ρ, all 5000 models")
    axes[0].set_ylim(0.0, 1.0)
    fig.tight_layout()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3)
    params = dict(exp.DEFAULTS)
    params.update({"seeds": list(SEEDS), "sweeps": {p: v for p, v, _ in sweeps}})
    save(fig, "cap_align_corr_sweeps", params=params)


if __name__ == "__main__":
    fig_bins()
    fig_sweeps()
