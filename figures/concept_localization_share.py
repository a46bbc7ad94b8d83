"""Figure for the paper "concept-localization": selectivity is not localisation."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from experiments import concept_localization as E  # noqa: E402
from figures.figlib import plt, save  # noqa: E402

RHOS = [0.0, 0.02, 0.1, 0.3]
M_GRID = np.unique(np.round(np.geomspace(1, 1e6, 60)).astype(int))
M_SIM = [2, 5, 10, 30, 100]
N_TRIALS = 4000


def main():
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.6))
    ax = axes[0]
    sims = {}
    for i, rho in enumerate(RHOS):
        (line,) = ax.plot(M_GRID, E.info_share_topk(1, M_GRID, rho), lw=1.5, label=f"ρ = {rho:g}")
        if rho in (0.0, 0.1):
            pts = [E.info_share_sim(M, rho, k=1, n_trials=N_TRIALS, seed=10 + M)["share"] for M in M_SIM]
            sims[str(rho)] = [round(v, 4) for v in pts]
            ax.plot(M_SIM, pts, "o", color=line.get_color(), ms=5, mfc="none")
            print("rho", rho, "sim shares", sims[str(rho)], "analytic", np.round(E.info_share_topk(1, np.array(M_SIM), rho), 4).tolist())
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("number of neurons $M$ that carry the concept")
    ax.set_ylabel("share of linear Fisher information\nin the single best neuron")
    ax.set_title("(a)  circles: Monte-Carlo LDA check", loc="left", fontsize=10)
    ax.legend(fontsize=9, title="noise correlation", title_fontsize=9, loc="lower left")
    ax = axes[1]
    for rho in RHOS:
        ks = np.array([1, 10, 100, 1000, 10_000])
        ax.plot(ks, E.info_share_topk(ks, 1e5, rho), "o-", ms=3, label=f"ρ = {rho:g}")
    ax.set_xscale("log")
    ax.set_xlabel("$k$ best neurons used\n($M = 10^5$ carry the concept)")
    ax.set_ylabel("share of linear Fisher information")
    ax.set_title("(b)", loc="left", fontsize=10)
    ax.legend(fontsize=9, loc="center right")
    fig.tight_layout()
    save(
        fig,
        "concept_localization_share",
        params={
            "rhos": RHOS,
            "M_sim": M_SIM,
            "n_trials": N_TRIALS,
            "sim_shares": sims,
            "k": 1,
        },
    )


if __name__ == "__main__":
    main()
