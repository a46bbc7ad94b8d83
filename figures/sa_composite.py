"""Figures for the post "Will situational awareness arrive gradually or sharply?".

Run from the repository root: PYTHONPATH=. .venv/bin/python figures/sa_composite.py
"""

import numpy as np

from experiments import sa_composite as s
from figures.figlib import plt, save

COMP = {"ks": (1, 3, 5, 10), "width": 0.5, "midpoint": 3.0}
THRESH = {
    "taus": (0.5, 0.1, 0.01, 0.001),
    "sigmas": (0.0, 0.5, 1.0),
    "prior_eval": 0.5,
    "n_contexts": 2000,
    "seed": 0,
    "d_midpoint": 3.0,
    "d_scale": 0.5,
}
DIST = {
    "k": 5,
    "comp_width": 0.5,
    "comp_midpoint": 3.0,
    "comp_jitter": 0.3,
    "abrupt_width": 0.02,
    "n_runs": 20,
    "n_items": 200,
    "grid_step": 0.25,
    "onset_level": 0.05,
    "seed": 0,
}


def mechanisms_figure():
    x = np.linspace(0.0, 6.0, 601)
    comp = s.composition_curves(ks=COMP["ks"], width=COMP["width"], midpoint=COMP["midpoint"], x=x)
    fig, axes = plt.subplots(3, 1, figsize=(7.6, 8.4), sharex=True, sharey=True)

    ax = axes[0]
    ax.plot(
        x,
        comp["component"],
        color="0.4",
        ls="--",
        lw=1.5,
        label=f"one sub-skill / partial credit ({s.width_10_90(x, comp['component']):.2f} dec)",
    )
    for k in COMP["ks"][1:]:
        ax.plot(x, comp["p_all"][k], label=f"all {k} sub-skills ({comp['width'][k]:.2f} dec)")
    ax.set_title("(a) AND of k smooth sub-skills", fontsize=10, loc="left")
    ax.legend(fontsize=8.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), title="10–90% width", title_fontsize=8.5, alignment="left")

    ax = axes[1]
    base = s.threshold_policy(x, 0.5, THRESH["prior_eval"], 0.0, 1, 0, THRESH["d_midpoint"], THRESH["d_scale"])
    auroc_n = (base["auroc"] - 0.5) / 0.5
    ax.plot(x, auroc_n, color="0.4", ls="--", lw=1.5, label=f"competence: (AUROC−0.5)/0.5 ({s.width_10_90(x, auroc_n):.2f} dec)")
    for tau in THRESH["taus"][1:]:
        r = s.threshold_policy(x, tau, THRESH["prior_eval"], 0.0, 1, 0, THRESH["d_midpoint"], THRESH["d_scale"])
        ax.plot(
            x, r["defect_deploy"], label=f"defects if P(eval) < {tau:g} ({s.width_10_90(x, r['defect_deploy'], normalise=True):.2f} dec)"
        )
    ax.set_title("(b) threshold policy on a smooth cue detector", fontsize=10, loc="left")
    ax.legend(
        fontsize=8.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), title="deployment defection rate", title_fontsize=8.5, alignment="left"
    )

    ax = axes[2]
    tau = THRESH["taus"][-1]
    for sigma in THRESH["sigmas"]:
        r = s.threshold_policy(
            x, tau, THRESH["prior_eval"], sigma, THRESH["n_contexts"], THRESH["seed"], THRESH["d_midpoint"], THRESH["d_scale"]
        )
        ax.plot(x, r["defect_deploy"], label=f"cue spread σ = {sigma:g} ({s.width_10_90(x, r['defect_deploy'], normalise=True):.2f} dec)")
    ax.set_title(f"(c) same policy (τ = {tau:g}), heterogeneous contexts", fontsize=10, loc="left")
    ax.set_xlabel("scale x (log10 compute, decades)")
    ax.legend(
        fontsize=8.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), title="deployment defection rate", title_fontsize=8.5, alignment="left"
    )
    for ax in axes:
        ax.set_xlim(0, 6)
        ax.set_ylim(-0.02, 1.02)
    fig.supylabel("success probability / normalised rate", fontsize=10)
    fig.tight_layout()
    save(fig, "sa_composite_mechanisms", params={"composition": COMP, "threshold": THRESH})


def runs_figure():
    r = s.distinguish(**DIST)
    xf, xg = r["x"], r["x_grid"]
    fig, axes = plt.subplots(3, 1, figsize=(7.2, 7.6), sharex=True, sharey=True)
    for ax, key, mean_key, title in (
        (axes[0], "cap_a", "mean_a", "(a) A: AND of 5 smooth sub-skills, 20 runs"),
        (axes[1], "cap_b", "mean_b", "(b) B: abrupt per-run switch, 20 runs"),
    ):
        for i, c in enumerate(r[key]):
            ax.plot(xf, c, color="0.6", lw=0.7, label="individual runs" if i == 0 else None)
        ax.plot(xf, r[mean_key], color="C0", lw=2.2, label="average over runs")
        ax.set_title(title, fontsize=10, loc="left")
        ax.legend(fontsize=9, loc="upper left")
        ax.set_ylabel("capability\n(P all sub-skills succeed)")
    ax = axes[2]
    for i in range(4):
        ax.plot(xg, r["partial_a"][i], color="C1", marker="o", ms=3, lw=1, label="A: measured partial credit" if i == 0 else None)
        ax.plot(xg, r["partial_b"][i], color="C2", marker="s", ms=3, lw=1, label="B: measured partial credit" if i == 0 else None)
    ax.set_title("(c) per-run continuous metric, 4 runs each (checkpoints every 0.25 decades)", fontsize=10, loc="left")
    ax.set_xlabel("scale x (log10 compute, decades)")
    ax.set_ylabel("measured\npartial credit")
    ax.legend(fontsize=9, loc="upper left")
    for ax in axes:
        ax.set_xlim(0, 6)
        ax.set_ylim(-0.02, 1.02)
    fig.tight_layout()
    save(fig, "sa_composite_runs", params=DIST)
    return r


if __name__ == "__main__":
    mechanisms_figure()
    runs_figure()
